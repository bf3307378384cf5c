-- The four source tables, empty, in a new schema :schema put first on
-- search_path, with purchase details of type :details; leadconv created.
-- For the scripts behind make test that run outside the regression suite
-- (whose sources come from lc_test.make_sources()):
--   \set schema t_name
--   \set details jsonb
--   \i scripts/test_sources.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leadconv;
DROP SCHEMA IF EXISTS :schema CASCADE;
CREATE SCHEMA :schema;
SET search_path = :schema, public;
CREATE TABLE dim_branch (branch_id text, timezone_id text, created_at timestamp);
CREATE TABLE dim_user (user_id text, branch_id text, created_at timestamp);
CREATE TABLE fct_membership_purchases (user_id text, membership_id text,
    membership_purchased_at timestamp, created_at timestamp, membership_purchase_details :details);
CREATE TABLE fct_credit_pack_purchases (user_id text, credit_pack_id text,
    credit_pack_purchased_at timestamp, created_at timestamp, credit_pack_purchase_details :details);
