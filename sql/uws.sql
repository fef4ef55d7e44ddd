-- uws.sql: the UWS job state of taproom's async endpoint (UWS 1.1, TAP 1.1 section 3), in the
-- database named by the configuration's uws.name.  Run by "taproom-admin init"; running it again
-- changes nothing.  Times are milliseconds since 1970-01-01 UTC from the database server's clock.
-- The phase names are UWS 1.1's.  src/uws/store.h describes how the columns are used.

CREATE TABLE IF NOT EXISTS uws_job (
  job_id              CHAR(32) CHARACTER SET ascii NOT NULL,
  owner               VARCHAR(255) NULL,
  client              VARCHAR(64) NULL,
  run_id              VARCHAR(255) NULL,
  phase               VARCHAR(16) CHARACTER SET ascii NOT NULL,
  creation_ms         BIGINT NOT NULL,
  start_ms            BIGINT NULL,
  end_ms              BIGINT NULL,
  destruction_ms      BIGINT NOT NULL,
  execution_duration  INT NOT NULL,
  attempt             INT UNSIGNED NOT NULL DEFAULT 0,
  executor            VARCHAR(255) NULL,
  db_thread_id        BIGINT UNSIGNED NULL,
  error_msg           TEXT NULL,
  error_status        SMALLINT NULL,
  result_type         VARCHAR(128) NULL,
  result_rows         BIGINT NULL,
  result_bytes        BIGINT NULL,
  result_overflow     BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (job_id),
  KEY uws_job_phase (phase, creation_ms),
  KEY uws_job_owner (owner, creation_ms),
  KEY uws_job_destruction (destruction_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS uws_parameter (
  job_id        CHAR(32) CHARACTER SET ascii NOT NULL,
  seq           INT NOT NULL,
  name          VARCHAR(255) NOT NULL,
  value         LONGBLOB NOT NULL,
  is_reference  BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (job_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
