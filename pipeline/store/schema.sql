-- The output contract (../shared/spec/data-contract.md) plus extra columns.
-- Every statement is idempotent: the loader runs this file on each connection.

CREATE TABLE IF NOT EXISTS documents (
    doc_id            VARCHAR PRIMARY KEY,   -- sha256 of the file's bytes
    source_path       VARCHAR,
    source_format     VARCHAR,
    pages             INTEGER,
    ocr_pages         INTEGER,
    status            VARCHAR,               -- ok | partial | no_tables | failed
    error             VARCHAR,
    extractor_version VARCHAR,
    size_bytes        BIGINT,
    seconds           DOUBLE,
    extracted_at      TIMESTAMP,
    heading           VARCHAR,               -- first words of the document (cover or first page)
    source_file       BLOB,                  -- resolved absolute path, the filesystem's bytes (identity)
    settings          VARCHAR                -- JSON: the settings that shaped the rows (OCR engine, dpi, ...)
);
ALTER TABLE documents ADD COLUMN IF NOT EXISTS heading VARCHAR;  -- databases of earlier versions
ALTER TABLE documents ADD COLUMN IF NOT EXISTS source_file BLOB;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS settings VARCHAR;

CREATE TABLE IF NOT EXISTS target_tables (
    table_id          VARCHAR PRIMARY KEY,   -- doc_id#N
    doc_id            VARCHAR,
    kind              VARCHAR,               -- department | project
    year              INTEGER,
    department        VARCHAR,
    unit              VARCHAR,
    project           VARCHAR,
    budget_total_wan  DECIMAL(18,2),
    budget_fiscal_wan DECIMAL(18,2),
    budget_other_wan  DECIMAL(18,2),
    goal              VARCHAR,
    page_first        INTEGER,
    page_last         INTEGER,
    title             VARCHAR,
    corrected         BOOLEAN DEFAULT false, -- a line of the corrections file changed this row
    project_code      VARCHAR                -- the code printed with the project's name, separators removed
);
ALTER TABLE target_tables ADD COLUMN IF NOT EXISTS corrected BOOLEAN DEFAULT false;
ALTER TABLE target_tables ADD COLUMN IF NOT EXISTS project_code VARCHAR;  -- databases of earlier versions

CREATE TABLE IF NOT EXISTS budget_lines (
    table_id   VARCHAR,
    line_no    INTEGER,
    task       VARCHAR,
    content    VARCHAR,
    total_wan  DECIMAL(18,2),
    fiscal_wan DECIMAL(18,2),
    other_wan  DECIMAL(18,2)
);

CREATE TABLE IF NOT EXISTS indicators (
    table_id       VARCHAR,
    seq            INTEGER,
    level1         VARCHAR,
    level2         VARCHAR,
    level1_raw     VARCHAR,
    level2_raw     VARCHAR,
    level_inferred BOOLEAN,
    name           VARCHAR,
    value_raw      VARCHAR,
    comparator     VARCHAR,
    value_num      DOUBLE,
    value_max      DOUBLE,
    unit           VARCHAR,
    value_text     VARCHAR,
    dimension      VARCHAR,
    weight         DOUBLE,
    page           INTEGER,
    bbox           DOUBLE[],               -- x0, top, x1, bottom in PDF points on `page`
    ocr_confidence DOUBLE,
    corrected      BOOLEAN DEFAULT false   -- a line of the corrections file changed this row
);
ALTER TABLE indicators ADD COLUMN IF NOT EXISTS corrected BOOLEAN DEFAULT false;

CREATE TABLE IF NOT EXISTS checks (
    table_id VARCHAR,
    "check"  VARCHAR,
    severity VARCHAR,                      -- error | warning | info
    detail   VARCHAR,
    page     INTEGER,                      -- page of the row or table the check is about
    seq      INTEGER                       -- the indicator's seq, for a check about one indicator
);
ALTER TABLE checks ADD COLUMN IF NOT EXISTS page INTEGER;  -- databases of earlier versions
ALTER TABLE checks ADD COLUMN IF NOT EXISTS seq INTEGER;

-- Derived per table by pipeline/analysis (region, department category); rebuilt when stale.
CREATE TABLE IF NOT EXISTS table_context (
    table_id            VARCHAR PRIMARY KEY,
    region              VARCHAR,               -- most specific place named: 库尔勒市
    region_level        VARCHAR,               -- province | city | county
    province            VARCHAR,
    city                VARCHAR,
    county              VARCHAR,
    region_rule         VARCHAR,               -- which text named the place
    department_category VARCHAR,               -- 司法, 公安, 民政, 教育 …
    category_rule       VARCHAR,               -- the word of the name that decided it
    version             VARCHAR
);

-- Derived per indicator by pipeline/analysis/concepts.py; rebuilt when the rules change.
CREATE TABLE IF NOT EXISTS indicator_concepts (
    table_id     VARCHAR,
    seq          INTEGER,
    concept      VARCHAR,
    concept_rule VARCHAR,
    version      VARCHAR
);
-- the canonical unit of the indicator's value and the factor to it (canonical_units.py), and
-- which way the concept is better (concepts.DIRECTION)
ALTER TABLE indicator_concepts ADD COLUMN IF NOT EXISTS unit_std VARCHAR;
ALTER TABLE indicator_concepts ADD COLUMN IF NOT EXISTS unit_factor DOUBLE;
ALTER TABLE indicator_concepts ADD COLUMN IF NOT EXISTS direction VARCHAR;

-- What each line of the corrections file did on the last run (pipeline/corrections).
CREATE TABLE IF NOT EXISTS corrections_applied (
    line       INTEGER,                    -- line of the corrections file
    table_id   VARCHAR,
    seq        INTEGER,                    -- NULL for a table field
    field      VARCHAR,
    old_value  VARCHAR,                    -- the value as extracted, replaced by new_value
    new_value  VARCHAR,
    status     VARCHAR,                    -- applied | already | stale | no_document | invalid
    detail     VARCHAR,                    -- why it was not applied
    note       VARCHAR,
    applied_at TIMESTAMP
);
