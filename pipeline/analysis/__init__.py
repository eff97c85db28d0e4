"""The analysts' layer: region, department category and indicator concepts over the extracted
tables, the views that join them (v_indicators, v_budget), and the commands built on them."""
