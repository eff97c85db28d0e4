-- Analysts' views: every indicator and every budget figure with its full context.
-- Created (or replaced) by pipeline.analysis.annotate.refresh after each extraction run.

CREATE OR REPLACE VIEW v_tables AS
SELECT
    t.table_id, t.doc_id, d.source_path, t.year,
    c.region, c.region_level, c.province, c.city, c.county,
    t.department, c.department_category,
    t.kind, t.project, t.unit AS implementing_unit, t.title, d.heading,
    t.budget_total_wan, t.budget_fiscal_wan, t.budget_other_wan, t.goal,
    t.page_first, t.page_last,
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
    i.weight, i.page, i.ocr_confidence, i.level_inferred,
    t.budget_total_wan AS table_budget_total_wan,
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
    t.project_code
FROM v_tables t
UNION ALL
SELECT
    t.table_id, t.doc_id, t.source_path, t.year,
    t.region, t.region_level, t.province, t.city, t.county,
    t.department, t.department_category, t.kind, t.project,
    'line' AS row_type, b.line_no, b.task, b.content,
    b.total_wan, b.fiscal_wan, b.other_wan,
    t.project_code
FROM budget_lines b
JOIN v_tables t USING (table_id);
