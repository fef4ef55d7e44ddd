-- A table with every column type taproom maps, NULLs in each, and awkward strings; published in
-- TAP_SCHEMA.  Used by tests/integration/sync.sh.
CREATE DATABASE IF NOT EXISTS tr_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE TABLE tr_test.alltypes (
  id INT NOT NULL PRIMARY KEY,
  c_tinyint TINYINT, c_smallint SMALLINT, c_int INT, c_bigint BIGINT,
  c_float FLOAT, c_double DOUBLE, c_decimal DECIMAL(12,4),
  c_char CHAR(8) CHARACTER SET ascii, c_varchar VARCHAR(64), c_text TEXT,
  c_date DATE, c_datetime DATETIME(3), c_timestamp TIMESTAMP NULL,
  c_bool BOOLEAN, c_blob BLOB, `dec` DOUBLE
) ENGINE=InnoDB;
INSERT INTO tr_test.alltypes VALUES
 (1, 7, -300, 123456, 9007199254740993, 1.5, 0.1, 12345678.1234, 'abc', 'plain', 'some text',
  '2024-02-29', '2024-02-29 23:59:58.125', '2001-09-09 01:46:40', 1, x'00FF41', -45.5),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, -128, 32767, -2147483648, -9223372036854775808, -3.4028234e38, 1e-300, -0.0001, 'q"<&>''', 
  CONCAT('tab', CHAR(9), 'nl', CHAR(10), 'cr', CHAR(13), 'ctl', CHAR(1), 'end'),
  CONCAT('caf', _utf8mb4 x'C3A9', ' ', _utf8mb4 x'E697A5E69CAC', ' <b>&amp;</b> "q" ''s'' \\ back'),
  '1970-01-01', '1999-12-31 23:59:59.000', '2038-01-19 03:14:07', 0, x'', 89.999999),
 (4, 127, -32768, 2147483647, 9223372036854775807, 3.4028234e38, -1.7976931348623157e308, 99999999.9999,
  '', '', '', '9999-12-31', '1000-01-01 00:00:00.001', NULL, NULL, x'0A0D09', -90),
 (5, 0, 0, 0, 0, 0, -0.0, 0, 'x,y', 'comma,quote"', 'multi
line', '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00', 1, NULL, 0);

USE `TAP_SCHEMA`;
REPLACE INTO `schemas` (`schema_name`, `description`, `schema_index`) VALUES ('tr_test', 'test fixtures', 50);
REPLACE INTO `tables` (`schema_name`, `table_name`, `table_type`, `description`, `table_index`) VALUES
  ('tr_test', 'tr_test.alltypes', 'table', 'every column type, NULLs, awkward strings', 1);
REPLACE INTO `columns` (`table_name`, `column_name`, `datatype`, `arraysize`, `xtype`, `size`, `description`, `unit`, `ucd`, `indexed`, `principal`, `std`, `column_index`) VALUES
  ('tr_test.alltypes', 'id', 'int', NULL, NULL, NULL, 'row id', NULL, 'meta.id;meta.main', 1, 1, 0, 1),
  ('tr_test.alltypes', 'c_tinyint', 'short', NULL, NULL, NULL, 'tinyint', NULL, NULL, 0, 1, 0, 2),
  ('tr_test.alltypes', 'c_smallint', 'short', NULL, NULL, NULL, 'smallint', NULL, NULL, 0, 1, 0, 3),
  ('tr_test.alltypes', 'c_int', 'int', NULL, NULL, NULL, 'int', 'm', NULL, 0, 1, 0, 4),
  ('tr_test.alltypes', 'c_bigint', 'long', NULL, NULL, NULL, 'bigint', NULL, NULL, 0, 1, 0, 5),
  ('tr_test.alltypes', 'c_float', 'float', NULL, NULL, NULL, 'float', 'mag', 'phot.mag', 0, 1, 0, 6),
  ('tr_test.alltypes', 'c_double', 'double', NULL, NULL, NULL, 'double', 'deg', NULL, 0, 1, 0, 7),
  ('tr_test.alltypes', 'c_decimal', 'double', NULL, NULL, NULL, 'decimal', NULL, NULL, 0, 1, 0, 8),
  ('tr_test.alltypes', 'c_char', 'char', '8*', NULL, 8, 'ascii char(8)', NULL, NULL, 0, 1, 0, 9),
  ('tr_test.alltypes', 'c_varchar', 'unicodeChar', '64*', NULL, 64, 'varchar(64)', NULL, NULL, 0, 1, 0, 10),
  ('tr_test.alltypes', 'c_text', 'unicodeChar', '*', NULL, NULL, 'text', NULL, 'meta.note', 0, 1, 0, 11),
  ('tr_test.alltypes', 'c_date', 'char', '*', 'timestamp', NULL, 'date', NULL, 'time.epoch', 0, 1, 0, 12),
  ('tr_test.alltypes', 'c_datetime', 'char', '*', 'timestamp', NULL, 'datetime(3)', NULL, 'time.epoch', 0, 1, 0, 13),
  ('tr_test.alltypes', 'c_timestamp', 'char', '*', 'timestamp', NULL, 'timestamp', NULL, 'time.epoch', 0, 1, 0, 14),
  ('tr_test.alltypes', 'c_bool', 'boolean', NULL, NULL, NULL, 'boolean', NULL, NULL, 0, 1, 0, 15),
  ('tr_test.alltypes', 'c_blob', 'unsignedByte', '*', NULL, NULL, 'blob', NULL, NULL, 0, 1, 0, 16),
  ('tr_test.alltypes', 'dec', 'double', NULL, NULL, NULL, 'a column named dec', 'deg', 'pos.eq.dec', 0, 1, 0, 17);
GRANT SELECT ON tr_test.* TO 'taproom'@'localhost';
GRANT SELECT ON `TAP_SCHEMA`.* TO 'taproom'@'localhost';

-- A larger table for streaming tests (mid-stream failures, slow clients).
CREATE TABLE tr_test.big (id INT NOT NULL PRIMARY KEY, x DOUBLE NOT NULL, label VARCHAR(40) NOT NULL) ENGINE=InnoDB;
INSERT INTO tr_test.big SELECT seq, seq / 7, CONCAT('row number ', seq) FROM seq_1_to_200000;
USE `TAP_SCHEMA`;
REPLACE INTO `tables` (`schema_name`, `table_name`, `table_type`, `description`, `table_index`) VALUES
  ('tr_test', 'tr_test.big', 'table', '200,000 rows for streaming tests', 2);
REPLACE INTO `columns` (`table_name`, `column_name`, `datatype`, `arraysize`, `xtype`, `size`, `description`, `unit`, `ucd`, `indexed`, `principal`, `std`, `column_index`) VALUES
  ('tr_test.big', 'id', 'int', NULL, NULL, NULL, 'row id', NULL, 'meta.id;meta.main', 1, 1, 0, 1),
  ('tr_test.big', 'x', 'double', NULL, NULL, NULL, 'id / 7', NULL, NULL, 0, 1, 0, 2),
  ('tr_test.big', 'label', 'char', '*', NULL, NULL, 'text', NULL, NULL, 0, 1, 0, 3);
