-- The demo's sample catalog: a synthetic all-sky source table (rows come from taproom-gencat).
CREATE DATABASE IF NOT EXISTS demo CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE TABLE IF NOT EXISTS demo.sources (
  source_id BIGINT NOT NULL PRIMARY KEY COMMENT 'unique source identifier',
  ra DOUBLE NOT NULL COMMENT 'right ascension (ICRS), deg',
  `dec` DOUBLE NOT NULL COMMENT 'declination (ICRS), deg',
  pmra DOUBLE COMMENT 'proper motion in RA * cos(dec), mas/yr',
  pmdec DOUBLE COMMENT 'proper motion in dec, mas/yr',
  parallax DOUBLE COMMENT 'parallax, mas',
  mag_g REAL COMMENT 'G-band magnitude, mag',
  mag_r REAL COMMENT 'R-band magnitude, mag',
  flag TINYINT NOT NULL COMMENT 'quality flag (0 = best)',
  name VARCHAR(32) NOT NULL COMMENT 'designation',
  KEY sources_dec (`dec`),
  KEY sources_ra (ra),
  KEY sources_mag_g (mag_g)
) ENGINE=InnoDB;
GRANT SELECT ON demo.* TO 'taproom'@'localhost';
