-- tests/adql/fixture.sql: the tables of tests/adql/schema.xml with the rows whose query results
-- tests/adql/translate.cases states (tests/unit/test_adql_db.c loads it into a scratch server).
-- Layout: one statement per ';'-terminated line group; nothing here may depend on the sql_mode
-- (the backslash is written as CHAR(92)).  String columns use a case-insensitive collation, so
-- the translator's case-sensitive LIKE is really tested; "ObjClass" is latin1, so are the
-- charset conversions.  TAP_SCHEMA itself comes from sql/tap_schema.sql.

CREATE DATABASE `survey` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;

CREATE TABLE `survey`.`objects` (
  `id` BIGINT NOT NULL PRIMARY KEY,
  `name` VARCHAR(32) NULL,
  `ra` DOUBLE NOT NULL,
  `dec` DOUBLE NOT NULL,
  `mag` FLOAT NULL,
  `flags` SMALLINT NULL,
  `n_obs` INT NOT NULL,
  `quality` TINYINT UNSIGNED NOT NULL,
  `is_var` BOOLEAN NULL,
  `dist` DOUBLE NULL,
  `period` DOUBLE NULL,
  `flux` DOUBLE NULL,
  `obs_time` DATETIME NULL,
  `ObjClass` VARCHAR(8) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL,
  `pos` VARCHAR(64) NULL
);

INSERT INTO `survey`.`objects` VALUES
  (1, 'Alpha', 10.5, -20.25, 12.5, 1, 3, 200, 1, 100, 1.5, 250, '2020-01-01 00:00:00', 'STAR', '10.5 -20.25'),
  (2, 'beta', 45, 30, 15.25, 0, 0, 10, 0, 2000, NULL, 10.5, '2020-06-15 12:30:00', 'star', '45 30'),
  (3, 'GAMMA', 359.5, -89.5, NULL, -3, 12, 0, 0, NULL, 0.25, NULL, NULL, 'Galaxy', NULL),
  (4, 'Ωmega', 180, 0, 20, 2, 7, 255, 1, 1000, 10, 0.5, '2021-03-01 08:00:00', 'QSO', '180 0'),
  (5, 'O''Brien', 0, 45.5, 8.75, NULL, 1, 100, NULL, 5.5, 100, 1000, '2019-12-31 23:59:59', 'STAR', '0 45.5'),
  (6, CONCAT('back', CHAR(92), 'slash'), 270.25, -45, 18, 4, 5, 50, 0, 250, 2.5, 4, '2020-01-01 00:00:00', 'galaxy', '270.25 -45'),
  (7, '100%_pure', 90, 60, 11, 0, 2, 128, 1, 10, 0.5, 500, '2022-07-04 16:20:00', 'STAR', '90 60'),
  (8, NULL, 120, -10, 14, 8, 0, 1, 0, 3000, NULL, 2, NULL, NULL, NULL),
  (9, 'alpha', 10.5, 20.25, 12.5, 1, 4, 199, 0, 100, 3, 250, '2020-01-02 00:00:00', 'star', '10.5 20.25'),
  (10, 'Zeta!', 300, -60, 9.5, -1, 9, 77, 1, 40, 20, 80, '2023-11-30 10:00:00', 'QSO', '300 -60');

CREATE TABLE `survey`.`obs` (
  `obs_id` INT NOT NULL PRIMARY KEY,
  `object_id` BIGINT NOT NULL,
  `band` CHAR(1) NOT NULL,
  `mag` DOUBLE NULL,
  `obs_time` DATETIME NULL,
  `exptime` DOUBLE NOT NULL,
  `seeing` FLOAT NULL
);

INSERT INTO `survey`.`obs` VALUES
  (101, 1, 'g', 12.75, '2020-01-01 01:00:00', 30, 1.25),
  (102, 1, 'r', 12.25, '2020-01-01 02:00:00', 30, 0.75),
  (103, 2, 'g', 15.5, '2020-06-15 13:00:00', 60, 1.5),
  (104, 4, 'i', 19.75, '2021-03-01 09:00:00', 120, NULL),
  (105, 4, 'g', 20.25, '2021-03-02 09:00:00', 120, 1),
  (106, 7, 'r', 10.75, '2022-07-04 17:00:00', 15, 0.5),
  (107, 99, 'z', NULL, NULL, 10, 2);

CREATE TABLE `survey`.`bands` (
  `band` CHAR(1) NOT NULL PRIMARY KEY,
  `wavelength` DOUBLE NOT NULL,
  `label` VARCHAR(16) NOT NULL,
  `Note``s` TEXT NULL
);

INSERT INTO `survey`.`bands` VALUES
  ('g', 477, 'Green', 'SDSS g'),
  ('r', 623, 'Red', NULL),
  ('i', 763, 'Infrared', 'near-IR'),
  ('u', 354, 'Ultraviolet', 'SDSS u');
