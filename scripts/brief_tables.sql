-- The brief's tables, as its setup.sql creates them: the four input tables,
-- the stand-in Part 1 table and the two output tables.  The project's sample
-- (sample/generate.sql), the CSV loader (scripts/csv/begin.sql) and the
-- benchmark (bench/generate.sql) create them from here.

-- INPUT TABLES
CREATE TABLE dim_branch (
    branch_id VARCHAR(40)
    , name VARCHAR(50)
    , email VARCHAR(50)
    , city VARCHAR(50)
    , country VARCHAR(50)
    , timezone_id VARCHAR(50)
    , created_at TIMESTAMP
);

CREATE TABLE dim_user (
    user_id VARCHAR(40)
    , branch_id VARCHAR(40)
    , name VARCHAR(50)
    , email VARCHAR(50)
    , created_at TIMESTAMP
);

CREATE TABLE fct_credit_pack_purchases (
    user_id VARCHAR(40)
    , branch_id VARCHAR(40)
    , credit_pack_id VARCHAR(40)
    , credit_pack_purchased_at TIMESTAMP
    , created_at TIMESTAMP
    , credit_pack_purchase_details JSON
);

CREATE TABLE fct_membership_purchases (
    user_id VARCHAR(40)
    , branch_id VARCHAR(40)
    , membership_id VARCHAR(40)
    , membership_purchased_at TIMESTAMP
    , created_at TIMESTAMP
    , membership_purchase_details JSON
);

CREATE TABLE fct_client_conversion_events_part_2 (
     user_id VARCHAR(40)
     , branch_id VARCHAR(40)
     , local_user_created_at TIMESTAMP
     , lead_status VARCHAR(40)
     , client_conversion_event_type VARCHAR(40)
     , client_conversion_event_id VARCHAR(40)
     , client_conversion_event_local_created_at TIMESTAMP
     , client_conversion_event_name VARCHAR(40)
     , client_conversion_event_source VARCHAR(40)
     , first_user_membership_id VARCHAR(40)
     , first_local_membership_purchased_at TIMESTAMP
     , first_membership_name VARCHAR(40)
     , first_membership_source VARCHAR(40)
     , first_credit_pack_id VARCHAR(40)
     , first_local_credit_pack_purchased_at TIMESTAMP
     , first_credit_pack_name VARCHAR(40)
     , first_credit_pack_source VARCHAR(40)
);

-- OUTPUT TABLES
CREATE TABLE fct_client_conversion_events (
     user_id VARCHAR(40)
     , branch_id VARCHAR(40)
     , local_user_created_at TIMESTAMP
     , lead_status VARCHAR(40)
     , client_conversion_event_type VARCHAR(40)
     , client_conversion_event_id VARCHAR(40)
     , client_conversion_event_local_created_at TIMESTAMP
     , client_conversion_event_name VARCHAR(40)
     , client_conversion_event_source VARCHAR(40)
     , first_user_membership_id VARCHAR(40)
     , first_local_membership_purchased_at TIMESTAMP
     , first_membership_name VARCHAR(40)
     , first_membership_source VARCHAR(40)
     , first_credit_pack_id VARCHAR(40)
     , first_local_credit_pack_purchased_at TIMESTAMP
     , first_credit_pack_name VARCHAR(40)
     , first_credit_pack_source VARCHAR(40)
);

CREATE TABLE fct_lead_conversions (
     user_id VARCHAR(40)
     , branch_id VARCHAR(40)
     , local_user_created_at TIMESTAMP
     , lead_status VARCHAR(40)
     , client_conversion_event_type VARCHAR(40)
     , client_conversion_event_id VARCHAR(40)
     , client_conversion_event_local_created_at TIMESTAMP
     , client_conversion_event_name VARCHAR(40)
     , client_conversion_event_source VARCHAR(40)
);
