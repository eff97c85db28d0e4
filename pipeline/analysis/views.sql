-- Analysts' views: every indicator and every budget figure with its full context.
-- Created (or replaced) by pipeline.analysis.annotate.refresh after each extraction run.

-- `file:///…/doc.pdf#page=N`, as pipeline.analysis.links.page_link builds it (url_encode
-- percent-encodes like Path.as_uri); NULL for a path that is not absolute.
CREATE OR REPLACE MACRO page_link(path, page) AS
    CASE WHEN path LIKE '/%'
        THEN 'file://' || replace(url_encode(path), '%2F', '/') || coalesce('#page=' || page, '')
    END;

CREATE OR REPLACE VIEW v_tables AS
SELECT
    t.table_id, t.doc_id, d.source_path, t.year,
    c.region, c.region_level, c.province, c.city, c.county,
    t.department, c.department_category,
    t.kind, t.project, t.unit AS implementing_unit, t.title, d.heading,
    t.budget_total_wan, t.budget_fiscal_wan, t.budget_other_wan, t.goal,
    t.page_first, t.page_last,
    page_link(d.source_path, t.page_first) AS source_link, t.corrected,
    t.project_code, c.region_rule
FROM target_tables t
JOIN documents d USING (doc_id)
LEFT JOIN table_context c USING (table_id);

CREATE OR REPLACE VIEW v_indicators AS
SELECT
    t.table_id, i.seq, t.doc_id, t.source_path, t.year,
    t.region, t.region_level, t.province, t.city, t.county,
    t.department, t.department_category, t.kind, t.project, t.implementing_unit,
    i.level1, i.level2, i.dimension, i.name,
    k.concept, k.concept_rule,
    i.value_raw, i.comparator, i.value_num, i.value_max, i.unit, i.value_text,
    k.unit_std, round(i.value_num * k.unit_factor, 8) AS value_num_std,
    round(i.value_max * k.unit_factor, 8) AS value_max_std, k.direction,
    i.weight, i.page, i.ocr_confidence, i.level_inferred,
    t.budget_total_wan AS table_budget_total_wan,
    i.table_id || '#' || i.seq AS indicator_id, i.bbox,
    page_link(t.source_path, coalesce(i.page, t.page_first)) AS source_link, i.corrected,
    t.project_code
FROM indicators i
JOIN v_tables t USING (table_id)
LEFT JOIN indicator_concepts k ON k.table_id = i.table_id AND k.seq = i.seq;

CREATE OR REPLACE VIEW v_budget AS
SELECT
    t.table_id, t.doc_id, t.source_path, t.year,
    t.region, t.region_level, t.province, t.city, t.county,
    t.department, t.department_category, t.kind, t.project,
    'total' AS row_type, NULL::INTEGER AS line_no, NULL::VARCHAR AS task, NULL::VARCHAR AS content,
    t.budget_total_wan AS total_wan, t.budget_fiscal_wan AS fiscal_wan, t.budget_other_wan AS other_wan,
    t.source_link, t.project_code
FROM v_tables t
UNION ALL
SELECT
    t.table_id, t.doc_id, t.source_path, t.year,
    t.region, t.region_level, t.province, t.city, t.county,
    t.department, t.department_category, t.kind, t.project,
    'line' AS row_type, b.line_no, b.task, b.content,
    b.total_wan, b.fiscal_wan, b.other_wan,
    t.source_link, t.project_code
FROM budget_lines b
JOIN v_tables t USING (table_id);

CREATE OR REPLACE VIEW v_checks AS
SELECT
    c.table_id, c.seq, c."check", c.severity, c.detail,
    t.department, t.project, d.source_path,
    coalesce(c.page, t.page_first) AS page,
    page_link(d.source_path, coalesce(c.page, t.page_first)) AS source_link
FROM checks c
JOIN documents d ON d.doc_id = split_part(c.table_id, '#', 1)
LEFT JOIN target_tables t ON t.table_id = c.table_id;
