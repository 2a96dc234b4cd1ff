CREATE TABLE mig_second (id integer PRIMARY KEY);
INSERT INTO mig_first VALUES (2);
SELECT 1 / 0;
