/* leadconv--1.0--1.1.sql */

\echo Use "ALTER EXTENSION leadconv UPDATE TO '1.1'" to load this file. \quit

-- A Part 1 row fans out to at most three Part 2 rows.  The default estimate
-- of 1000 made the planner join the Part 2 rows of a few users by reading
-- the whole fact table (automatic refresh, and users' own fan-outs).
ALTER FUNCTION @extschema@.leadconv_lead_conversions_of(
    @extschema@.leadconv_client_event, text, boolean) ROWS 3;
