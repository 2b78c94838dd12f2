-- The existing tables, with rows, that the migration rule fixtures change:
-- check_trace_live.py applies each fixture with `pgsift check` to a copy of
-- this database and compares the traced locks and rewrites with the lint.
-- Run by a role without superuser (the owner of everything here).
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 2000) g;
CREATE TABLE orders (id integer PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL, note text,
                     updated_at timestamptz, status text, placed_at timestamptz, ref text, legacy text, fax text);
INSERT INTO orders (id, customer_id, total, placed_at, status, ref)
  SELECT g, 1 + g % 2000, 1 + g % 50, now(), 'open', 'R' || g FROM generate_series(1, 20000) g;
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_status_idx ON orders (status);
CREATE VIEW order_totals AS SELECT count(*) AS n FROM customers;
CREATE VIEW report_view AS SELECT count(*) AS n FROM customers;
CREATE TABLE patients (id bigint PRIMARY KEY, mrn text NOT NULL, name text, fax text, birth_date date NOT NULL,
                       dob date, email text, pcp_id bigint, clinic_id bigint);
INSERT INTO patients (id, mrn, birth_date, dob) SELECT g, 'MRN' || g, date '1980-01-01' + g, date '1980-01-01' + g
  FROM generate_series(1, 3000) g;
CREATE UNIQUE INDEX patients_mrn_idx ON patients (mrn);
CREATE INDEX patients_dob_idx ON patients (dob);
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.org' FROM generate_series(1, 5000) g;
CREATE TABLE events (id bigint, created_at timestamptz NOT NULL, payload text);
INSERT INTO events SELECT g, now(), 'event ' || g FROM generate_series(1, 5000) g;
CREATE UNIQUE INDEX events_pkey_idx ON events (id);
CREATE TYPE visit_status AS ENUM ('scheduled', 'cancelled', 'completed');
CREATE TABLE clinics (id bigint PRIMARY KEY, name varchar(100));
INSERT INTO clinics SELECT g, 'clinic ' || g FROM generate_series(1, 50) g;
CREATE TABLE visits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, status visit_status NOT NULL, notes text,
                     clinic_id bigint, patient_id bigint);
INSERT INTO visits (status, notes, clinic_id) SELECT 'scheduled', 'note ' || g, 1 + g % 50 FROM generate_series(1, 1000) g;
CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint);
INSERT INTO sessions SELECT g, g FROM generate_series(1, 100) g;
CREATE TABLE legacy_notes (id bigint PRIMARY KEY, body text);
CREATE TABLE appointments (id integer PRIMARY KEY, patient_id integer NOT NULL, doctor_id integer NOT NULL,
                           starts_at timestamptz NOT NULL, status text NOT NULL, notes text);
INSERT INTO appointments SELECT g, 1 + g % 3000, 1 + g % 20, now(), 'booked', NULL FROM generate_series(1, 4000) g;
CREATE INDEX appointments_notes_idx ON appointments (notes);
CREATE INDEX appointments_doctor_status_idx ON appointments (doctor_id, status);
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint);
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE PROCEDURE touch_row();  -- PROCEDURE: also PostgreSQL 10
ANALYZE;
