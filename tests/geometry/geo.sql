-- The geometry tests' tables (tests/integration/geometry.sh, bench/geometry), published in TAP_SCHEMA
-- (load sql/tap_schema.sql first).  Rows come from tools/taproom-gencat and LOAD DATA; the secondary
-- indexes are added after the load (faster), by the loading script (tests/geometry/load.sh).
--   geo.cat      taproom-gencat -c rows: uniform on the sphere plus clusters at both poles and on RA 0
--   geo.big      1,000,000 uniform positions (made by the server), for EXPLAIN and the benchmark
--   geo.targets  positions to cross-match geo.cat against
CREATE DATABASE IF NOT EXISTS geo CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE TABLE IF NOT EXISTS geo.cat (
  source_id BIGINT NOT NULL PRIMARY KEY,
  ra DOUBLE NOT NULL,
  `dec` DOUBLE NOT NULL,
  pmra DOUBLE, pmdec DOUBLE, parallax DOUBLE,
  mag_g REAL, mag_r REAL,
  flag TINYINT NOT NULL,
  name VARCHAR(32) NOT NULL,
  -- a DALI point as text, published as double[2] xtype point: taproom sends it as an array, and
  -- in geometry functions it stands for (ra, dec), the table's pos.eq.*;meta.main columns
  pos VARCHAR(64) AS (CONCAT(ra, ' ', `dec`)) VIRTUAL
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS geo.big (
  source_id BIGINT NOT NULL PRIMARY KEY,
  ra DOUBLE NOT NULL,
  `dec` DOUBLE NOT NULL
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS geo.targets (
  tid INT NOT NULL PRIMARY KEY,
  ra DOUBLE NOT NULL,
  `dec` DOUBLE NOT NULL,
  r DOUBLE NOT NULL
) ENGINE=InnoDB;
GRANT SELECT ON geo.* TO 'taproom'@'localhost';

USE `TAP_SCHEMA`;
REPLACE INTO `schemas` (`schema_name`, `description`, `schema_index`) VALUES ('geo', 'geometry test catalogs', 60);
REPLACE INTO `tables` (`schema_name`, `table_name`, `table_type`, `description`, `table_index`) VALUES
  ('geo', 'geo.cat', 'table', 'taproom-gencat -c: uniform plus clusters at the poles and on RA 0', 1),
  ('geo', 'geo.big', 'table', 'one million positions', 2),
  ('geo', 'geo.targets', 'table', 'cross-match targets with a search radius', 3);
REPLACE INTO `columns` (`table_name`, `column_name`, `datatype`, `arraysize`, `xtype`, `size`, `description`, `unit`, `ucd`, `indexed`, `principal`, `std`, `column_index`) VALUES
  ('geo.cat', 'source_id', 'long', NULL, NULL, NULL, 'identifier', NULL, 'meta.id;meta.main', 1, 1, 0, 1),
  ('geo.cat', 'ra', 'double', NULL, NULL, NULL, 'right ascension', 'deg', 'pos.eq.ra;meta.main', 1, 1, 0, 2),
  ('geo.cat', 'dec', 'double', NULL, NULL, NULL, 'declination', 'deg', 'pos.eq.dec;meta.main', 1, 1, 0, 3),
  ('geo.cat', 'parallax', 'double', NULL, NULL, NULL, 'parallax (NULL in 2% of rows)', 'mas', 'pos.parallax', 0, 0, 0, 4),
  ('geo.cat', 'mag_g', 'float', NULL, NULL, NULL, 'G magnitude', 'mag', 'phot.mag', 0, 0, 0, 5),
  ('geo.cat', 'pos', 'double', '2', 'point', NULL, 'position', 'deg', 'pos.eq', 0, 0, 0, 6),
  ('geo.big', 'source_id', 'long', NULL, NULL, NULL, 'identifier', NULL, 'meta.id;meta.main', 1, 1, 0, 1),
  ('geo.big', 'ra', 'double', NULL, NULL, NULL, 'right ascension', 'deg', 'pos.eq.ra;meta.main', 1, 1, 0, 2),
  ('geo.big', 'dec', 'double', NULL, NULL, NULL, 'declination', 'deg', 'pos.eq.dec;meta.main', 1, 1, 0, 3),
  ('geo.targets', 'tid', 'int', NULL, NULL, NULL, 'target number', NULL, 'meta.id;meta.main', 1, 1, 0, 1),
  ('geo.targets', 'ra', 'double', NULL, NULL, NULL, 'right ascension', 'deg', 'pos.eq.ra;meta.main', 0, 1, 0, 2),
  ('geo.targets', 'dec', 'double', NULL, NULL, NULL, 'declination', 'deg', 'pos.eq.dec;meta.main', 0, 1, 0, 3),
  ('geo.targets', 'r', 'double', NULL, NULL, NULL, 'search radius', 'deg', NULL, 0, 1, 0, 4);
GRANT SELECT ON `TAP_SCHEMA`.* TO 'taproom'@'localhost';
