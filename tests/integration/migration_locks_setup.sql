-- The existing tables the migration rule fixtures in migration_locks.txt
-- change, with rows, for migration_locks_live.sh.
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 2000) g;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL, note text,
                     updated_at timestamptz);
INSERT INTO orders SELECT g, 1 + g % 2000, g % 50, NULL, now() FROM generate_series(1, 20000) g;
CREATE TABLE patients (id bigint PRIMARY KEY, mrn text NOT NULL, dob date);
INSERT INTO patients SELECT g, 'MRN' || g, date '1980-01-01' + g FROM generate_series(1, 3000) g;
CREATE INDEX patients_dob_idx ON patients (dob);
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.org' FROM generate_series(1, 5000) g;
CREATE TABLE events (created_at timestamptz NOT NULL, payload text);
INSERT INTO events SELECT now(), 'event ' || g FROM generate_series(1, 5000) g;
CREATE TYPE visit_status AS ENUM ('scheduled', 'cancelled', 'completed');
CREATE TABLE visits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, status visit_status NOT NULL);
INSERT INTO visits (status) SELECT 'scheduled' FROM generate_series(1, 1000);
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch_row();
ANALYZE;
