CREATE TABLE mig_first (id integer PRIMARY KEY);
INSERT INTO mig_first VALUES (1);
