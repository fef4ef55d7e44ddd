-- TAP_SCHEMA 1.1 for MariaDB 10.6+ / MySQL 8: the five tables of TAP 1.1 §4 and the rows that
-- describe TAP_SCHEMA itself (TAP 1.1 §4: the schema is self-describing).
-- Idempotent: run it again at any time; existing tables and rows are left as they are.
-- Identifiers are always backtick-quoted (`keys` is a reserved word in MySQL).  Name columns use
-- utf8mb4_bin so that uniqueness is exact: TAP names are case-sensitive strings, and two delimited
-- identifiers may differ only in case.
-- Layout contract (tests/unit/test_catalog_db.c relies on it): one statement per ';'-terminated
-- line group, and every table name after the USE line is unqualified, so the file can be loaded
-- into another database by skipping the CREATE DATABASE and USE statements.

CREATE DATABASE IF NOT EXISTS `TAP_SCHEMA` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
USE `TAP_SCHEMA`;

-- TAP 1.1 §4.1
CREATE TABLE IF NOT EXISTS `schemas` (
  `schema_name`  VARCHAR(128) NOT NULL COMMENT 'schema name as used in ADQL',
  `utype`        VARCHAR(512) NULL,
  `description`  TEXT NULL,
  `schema_index` INT NULL COMMENT 'recommended listing order, ascending',
  PRIMARY KEY (`schema_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- TAP 1.1 §4.2
CREATE TABLE IF NOT EXISTS `tables` (
  `schema_name`  VARCHAR(128) NOT NULL,
  `table_name`   VARCHAR(256) NOT NULL COMMENT 'as used in ADQL, usually schema-qualified',
  `table_type`   VARCHAR(16) NOT NULL COMMENT 'table or view',
  `utype`        VARCHAR(512) NULL,
  `description`  TEXT NULL,
  `table_index`  INT NULL COMMENT 'recommended listing order, ascending',
  PRIMARY KEY (`table_name`),
  KEY `tables_schema_name` (`schema_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- TAP 1.1 §4.3
CREATE TABLE IF NOT EXISTS `columns` (
  `table_name`   VARCHAR(256) NOT NULL,
  `column_name`  VARCHAR(128) NOT NULL COMMENT 'with the quotes if it is a delimited identifier',
  `datatype`     VARCHAR(64) NOT NULL COMMENT 'VOTable datatype',
  `arraysize`    VARCHAR(64) NULL COMMENT 'VOTable arraysize; NULL for scalars',
  `xtype`        VARCHAR(64) NULL COMMENT 'DALI xtype',
  `size`         INT NULL COMMENT 'TAP 1.0 legacy: arraysize as an integer, without the *',
  `description`  TEXT NULL,
  `utype`        VARCHAR(512) NULL,
  `unit`         VARCHAR(128) NULL COMMENT 'VOUnit',
  `ucd`          VARCHAR(256) NULL,
  `indexed`      INT NOT NULL DEFAULT 0 COMMENT '0 or 1',
  `principal`    INT NOT NULL DEFAULT 0 COMMENT '0 or 1',
  `std`          INT NOT NULL DEFAULT 0 COMMENT '0 or 1',
  `column_index` INT NULL COMMENT 'recommended listing order, ascending',
  PRIMARY KEY (`table_name`, `column_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- TAP 1.1 §4.4
CREATE TABLE IF NOT EXISTS `keys` (
  `key_id`       VARCHAR(128) NOT NULL,
  `from_table`   VARCHAR(256) NOT NULL,
  `target_table` VARCHAR(256) NOT NULL,
  `utype`        VARCHAR(512) NULL,
  `description`  TEXT NULL,
  PRIMARY KEY (`key_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- TAP 1.1 §4.5
CREATE TABLE IF NOT EXISTS `key_columns` (
  `key_id`        VARCHAR(128) NOT NULL,
  `from_column`   VARCHAR(128) NOT NULL,
  `target_column` VARCHAR(128) NOT NULL,
  PRIMARY KEY (`key_id`, `from_column`, `target_column`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- ---- TAP_SCHEMA describes itself ---------------------------------------------------------------
-- Datatypes follow TAP 1.1 §4: VOTable datatype + arraysize for the database type
-- (VARCHAR(n) -> char, "n*", "size" n; TEXT -> char, "*"; INT -> int).

INSERT IGNORE INTO `schemas` (`schema_name`, `utype`, `description`, `schema_index`) VALUES
  ('TAP_SCHEMA', NULL, 'Metadata of the tables and columns this service publishes (TAP 1.1 section 4)', 100000);

INSERT IGNORE INTO `tables` (`schema_name`, `table_name`, `table_type`, `utype`, `description`, `table_index`) VALUES
  ('TAP_SCHEMA', 'TAP_SCHEMA.schemas', 'table', NULL, 'The schemas of this service', 1),
  ('TAP_SCHEMA', 'TAP_SCHEMA.tables', 'table', NULL, 'The tables of this service', 2),
  ('TAP_SCHEMA', 'TAP_SCHEMA.columns', 'table', NULL, 'The columns of the tables of this service', 3),
  ('TAP_SCHEMA', 'TAP_SCHEMA.keys', 'table', NULL, 'Foreign keys: ways to join the tables of this service', 4),
  ('TAP_SCHEMA', 'TAP_SCHEMA.key_columns', 'table', NULL, 'The column pairs of each foreign key', 5);

INSERT IGNORE INTO `columns` (`table_name`, `column_name`, `datatype`, `arraysize`, `xtype`, `size`, `description`, `utype`, `unit`, `ucd`, `indexed`, `principal`, `std`, `column_index`) VALUES
  ('TAP_SCHEMA.schemas', 'schema_name', 'char', '128*', NULL, 128, 'Schema name as used in ADQL', NULL, NULL, 'meta.id', 1, 1, 1, 1),
  ('TAP_SCHEMA.schemas', 'utype', 'char', '512*', NULL, 512, 'Data model concept the schema represents', NULL, NULL, 'meta.id', 0, 1, 1, 2),
  ('TAP_SCHEMA.schemas', 'description', 'char', '*', NULL, NULL, 'Description of the schema', NULL, NULL, 'meta.note', 0, 1, 1, 3),
  ('TAP_SCHEMA.schemas', 'schema_index', 'int', NULL, NULL, NULL, 'Recommended order in listings, ascending', NULL, NULL, 'meta.number', 0, 0, 1, 4),
  ('TAP_SCHEMA.tables', 'schema_name', 'char', '128*', NULL, 128, 'Schema the table belongs to', NULL, NULL, 'meta.id', 1, 1, 1, 1),
  ('TAP_SCHEMA.tables', 'table_name', 'char', '256*', NULL, 256, 'Table name as used in ADQL, usually schema-qualified', NULL, NULL, 'meta.id;meta.table', 1, 1, 1, 2),
  ('TAP_SCHEMA.tables', 'table_type', 'char', '16*', NULL, 16, 'table or view', NULL, NULL, 'meta.code', 0, 1, 1, 3),
  ('TAP_SCHEMA.tables', 'utype', 'char', '512*', NULL, 512, 'Data model concept the table represents', NULL, NULL, 'meta.id', 0, 1, 1, 4),
  ('TAP_SCHEMA.tables', 'description', 'char', '*', NULL, NULL, 'Description of the table', NULL, NULL, 'meta.note', 0, 1, 1, 5),
  ('TAP_SCHEMA.tables', 'table_index', 'int', NULL, NULL, NULL, 'Recommended order in listings, ascending', NULL, NULL, 'meta.number', 0, 0, 1, 6),
  ('TAP_SCHEMA.columns', 'table_name', 'char', '256*', NULL, 256, 'Table the column belongs to', NULL, NULL, 'meta.id;meta.table', 1, 1, 1, 1),
  ('TAP_SCHEMA.columns', 'column_name', 'char', '128*', NULL, 128, 'Column name as used in ADQL', NULL, NULL, 'meta.id', 1, 1, 1, 2),
  ('TAP_SCHEMA.columns', 'datatype', 'char', '64*', NULL, 64, 'VOTable datatype of the column', NULL, NULL, 'meta.code', 0, 1, 1, 3),
  ('TAP_SCHEMA.columns', 'arraysize', 'char', '64*', NULL, 64, 'VOTable arraysize; NULL for scalars', NULL, NULL, 'meta.code', 0, 1, 1, 4),
  ('TAP_SCHEMA.columns', 'xtype', 'char', '64*', NULL, 64, 'DALI extended type (xtype)', NULL, NULL, 'meta.code', 0, 1, 1, 5),
  ('TAP_SCHEMA.columns', '"size"', 'int', NULL, NULL, NULL, 'Legacy TAP 1.0 length: arraysize as an integer', NULL, NULL, 'meta.number', 0, 0, 1, 6),
  ('TAP_SCHEMA.columns', 'description', 'char', '*', NULL, NULL, 'Description of the column', NULL, NULL, 'meta.note', 0, 1, 1, 7),
  ('TAP_SCHEMA.columns', 'utype', 'char', '512*', NULL, 512, 'Data model concept the column represents', NULL, NULL, 'meta.id', 0, 1, 1, 8),
  ('TAP_SCHEMA.columns', 'unit', 'char', '128*', NULL, 128, 'Unit of the values (VOUnit)', NULL, NULL, 'meta.unit', 0, 1, 1, 9),
  ('TAP_SCHEMA.columns', 'ucd', 'char', '256*', NULL, 256, 'Unified content descriptor (UCD)', NULL, NULL, 'meta.ucd', 0, 1, 1, 10),
  ('TAP_SCHEMA.columns', 'indexed', 'int', NULL, NULL, NULL, '1 if the column is indexed, else 0', NULL, NULL, 'meta.code', 0, 1, 1, 11),
  ('TAP_SCHEMA.columns', 'principal', 'int', NULL, NULL, NULL, '1 if the column is principal, else 0', NULL, NULL, 'meta.code', 0, 1, 1, 12),
  ('TAP_SCHEMA.columns', 'std', 'int', NULL, NULL, NULL, '1 if a standard defines the column, else 0', NULL, NULL, 'meta.code', 0, 1, 1, 13),
  ('TAP_SCHEMA.columns', 'column_index', 'int', NULL, NULL, NULL, 'Recommended order in listings, ascending', NULL, NULL, 'meta.number', 0, 0, 1, 14),
  ('TAP_SCHEMA.keys', 'key_id', 'char', '128*', NULL, 128, 'Unique key identifier', NULL, NULL, 'meta.id', 1, 1, 1, 1),
  ('TAP_SCHEMA.keys', 'from_table', 'char', '256*', NULL, 256, 'Table holding the foreign key', NULL, NULL, 'meta.id;meta.table', 0, 1, 1, 2),
  ('TAP_SCHEMA.keys', 'target_table', 'char', '256*', NULL, 256, 'Table the key refers to', NULL, NULL, 'meta.id;meta.table', 0, 1, 1, 3),
  ('TAP_SCHEMA.keys', 'utype', 'char', '512*', NULL, 512, 'Data model concept the key represents', NULL, NULL, 'meta.id', 0, 1, 1, 4),
  ('TAP_SCHEMA.keys', 'description', 'char', '*', NULL, NULL, 'Description of the key', NULL, NULL, 'meta.note', 0, 1, 1, 5),
  ('TAP_SCHEMA.key_columns', 'key_id', 'char', '128*', NULL, 128, 'Key this column pair belongs to', NULL, NULL, 'meta.id', 1, 1, 1, 1),
  ('TAP_SCHEMA.key_columns', 'from_column', 'char', '128*', NULL, 128, 'Column in the from_table', NULL, NULL, 'meta.id', 0, 1, 1, 2),
  ('TAP_SCHEMA.key_columns', 'target_column', 'char', '128*', NULL, 128, 'Column in the target_table', NULL, NULL, 'meta.id', 0, 1, 1, 3);

-- TAP 1.1 §4.4: the foreign keys of TAP_SCHEMA itself.
INSERT IGNORE INTO `keys` (`key_id`, `from_table`, `target_table`, `utype`, `description`) VALUES
  ('TAP_SCHEMA.tables-schemas', 'TAP_SCHEMA.tables', 'TAP_SCHEMA.schemas', NULL, 'The schema of each table'),
  ('TAP_SCHEMA.columns-tables', 'TAP_SCHEMA.columns', 'TAP_SCHEMA.tables', NULL, 'The table of each column'),
  ('TAP_SCHEMA.keys-from_table', 'TAP_SCHEMA.keys', 'TAP_SCHEMA.tables', NULL, 'The table holding each key'),
  ('TAP_SCHEMA.keys-target_table', 'TAP_SCHEMA.keys', 'TAP_SCHEMA.tables', NULL, 'The table each key refers to'),
  ('TAP_SCHEMA.key_columns-keys', 'TAP_SCHEMA.key_columns', 'TAP_SCHEMA.keys', NULL, 'The key of each column pair');

INSERT IGNORE INTO `key_columns` (`key_id`, `from_column`, `target_column`) VALUES
  ('TAP_SCHEMA.tables-schemas', 'schema_name', 'schema_name'),
  ('TAP_SCHEMA.columns-tables', 'table_name', 'table_name'),
  ('TAP_SCHEMA.keys-from_table', 'from_table', 'table_name'),
  ('TAP_SCHEMA.keys-target_table', 'target_table', 'table_name'),
  ('TAP_SCHEMA.key_columns-keys', 'key_id', 'key_id');
