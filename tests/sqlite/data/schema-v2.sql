-- SPDX-License-Identifier: Apache-2.0
-- A telcrm database of schema version 2 (sqlite3 .dump of schema-v1.sql migrated to version 2),
-- with a receipt and a claim of an unknown caller: the migration test opens it and expects
-- them at version 3, the receipts dated by the first pruning.
BEGIN TRANSACTION;
CREATE TABLE activities(
  id INTEGER PRIMARY KEY,
  call TEXT NOT NULL,
  subject TEXT NOT NULL,
  direction TEXT NOT NULL CHECK(direction IN ('incoming', 'outgoing', 'callback')),
  start INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('answered', 'missed', 'voicemail')),
  responsible INTEGER,
  recording TEXT,
  voicemail TEXT,
  comment TEXT
);
INSERT INTO activities VALUES(1,'c1','Incoming call from +79161234567','incoming',1795338000,60,'answered',2,NULL,NULL,NULL);
CREATE TABLE activity_bindings(
  activity INTEGER NOT NULL REFERENCES activities(id),
  position INTEGER NOT NULL,
  entity_type INTEGER NOT NULL CHECK(entity_type BETWEEN 1 AND 5),
  entity_id INTEGER NOT NULL,
  PRIMARY KEY(activity, position)
) WITHOUT ROWID;
INSERT INTO activity_bindings VALUES(1,0,4,70);
INSERT INTO activity_bindings VALUES(1,1,1,5);
CREATE TABLE claims(
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  at INTEGER NOT NULL,
  call TEXT NOT NULL,
  created TEXT NOT NULL
);
INSERT INTO claims VALUES(1,'+79169990000',1795338000,'c2','3:50');
CREATE TABLE companies(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  responsible INTEGER
);
INSERT INTO companies VALUES(3,'Acme',1);
CREATE TABLE contacts(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  responsible INTEGER,
  company INTEGER REFERENCES companies(id)
);
INSERT INTO contacts VALUES(5,'Ivan Petrov',2,3);
CREATE TABLE deals(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  contact INTEGER REFERENCES contacts(id),
  company INTEGER REFERENCES companies(id),
  responsible INTEGER,
  stage TEXT NOT NULL CHECK(stage IN ('in_progress', 'won', 'lost')),
  pipeline INTEGER NOT NULL,
  modified INTEGER,
  source TEXT,
  repeat INTEGER NOT NULL CHECK(repeat IN (0, 1))
);
INSERT INTO deals VALUES(70,'Renewal',5,3,2,'in_progress',0,1795338000,NULL,0);
CREATE TABLE emails(
  owner_type INTEGER NOT NULL CHECK(owner_type BETWEEN 1 AND 2),
  owner_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  email TEXT NOT NULL,
  PRIMARY KEY(owner_type, owner_id, position)
) WITHOUT ROWID;
INSERT INTO emails VALUES(1,5,0,'ivan@example.ru');
CREATE TABLE employees(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  active INTEGER NOT NULL CHECK(active IN (0, 1)),
  presence TEXT NOT NULL CHECK(presence IN ('online', 'offline', 'busy')),
  workday TEXT NOT NULL CHECK(workday IN ('untracked', 'open', 'closed', 'paused')),
  mobile TEXT,
  personal TEXT,
  work TEXT,
  extension TEXT
);
INSERT INTO employees VALUES(1,'Anna',1,'online','untracked',NULL,NULL,NULL,NULL);
CREATE TABLE history(
  seq INTEGER PRIMARY KEY,
  call TEXT NOT NULL,
  direction TEXT NOT NULL CHECK(direction IN ('incoming', 'outgoing', 'callback')),
  number TEXT NOT NULL,
  line TEXT NOT NULL,
  start INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  employee INTEGER,
  crm TEXT NOT NULL CHECK(crm IN ('matched', 'unknown', 'excepted', 'employee', 'disabled'))
);
INSERT INTO history VALUES(1,'c1','incoming','+79161234567','+74951234567',1795338000,60,200,2,'matched');
CREATE TABLE invoices(
  id INTEGER PRIMARY KEY,
  amount REAL NOT NULL,
  entity_type INTEGER NOT NULL CHECK(entity_type BETWEEN 1 AND 5),
  entity_id INTEGER NOT NULL,
  responsible INTEGER,
  call TEXT NOT NULL
);
CREATE TABLE leads(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  responsible INTEGER,
  status TEXT NOT NULL CHECK(status IN ('in_progress', 'converted', 'junk')),
  modified INTEGER,
  contact INTEGER REFERENCES contacts(id),
  company INTEGER REFERENCES companies(id),
  source TEXT,
  repeat INTEGER NOT NULL CHECK(repeat IN (0, 1))
);
INSERT INTO leads VALUES(50,'+79160000001 - Incoming call',1,'in_progress',1795338000,NULL,NULL,'CALL',0);
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value ANY
) WITHOUT ROWID;
CREATE TABLE missed_calls(
  seq INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  call TEXT NOT NULL,
  called_back_by TEXT
);
CREATE TABLE phones(
  owner_type INTEGER NOT NULL CHECK(owner_type BETWEEN 1 AND 3),
  owner_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  phone TEXT NOT NULL,
  e164 TEXT,
  e164_key INTEGER,
  raw_key INTEGER,
  form TEXT CHECK(form IN ('international', 'national', 'trunk_national', 'country_national')),
  suffix_key INTEGER,
  PRIMARY KEY(owner_type, owner_id, position)
) WITHOUT ROWID;
INSERT INTO phones VALUES(1,5,0,'8 (916) 123-45-67','+79161234567',NULL,NULL,NULL,NULL);
INSERT INTO phones VALUES(3,50,0,'+79160000001','+79160000001',NULL,NULL,NULL,NULL);
CREATE TABLE receipts(
  call TEXT NOT NULL,
  seq INTEGER NOT NULL,
  created TEXT NOT NULL,
  claimed_by TEXT,
  PRIMARY KEY(call, seq)
) WITHOUT ROWID;
INSERT INTO receipts VALUES('c1',1,'',NULL);
INSERT INTO receipts VALUES('c2',1,'3:50',NULL);
CREATE TABLE changes(
  entity_type INTEGER NOT NULL CHECK(entity_type BETWEEN 1 AND 4),
  entity_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY(entity_type, entity_id)
) WITHOUT ROWID;
INSERT INTO changes VALUES(1,5,1);
INSERT INTO changes VALUES(2,3,1);
INSERT INTO changes VALUES(3,50,1);
INSERT INTO changes VALUES(4,70,1);
CREATE INDEX contacts_company ON contacts(company) WHERE company IS NOT NULL;
CREATE INDEX leads_contact ON leads(contact) WHERE contact IS NOT NULL;
CREATE INDEX leads_company ON leads(company) WHERE company IS NOT NULL;
CREATE INDEX deals_contact ON deals(contact) WHERE contact IS NOT NULL;
CREATE INDEX deals_company ON deals(company) WHERE company IS NOT NULL;
CREATE INDEX phones_e164_key ON phones(e164_key) WHERE e164_key IS NOT NULL;
CREATE INDEX phones_raw_key ON phones(raw_key) WHERE raw_key IS NOT NULL;
CREATE INDEX phones_suffix_key ON phones(suffix_key) WHERE suffix_key IS NOT NULL;
CREATE INDEX missed_calls_open ON missed_calls(number) WHERE called_back_by IS NULL;
CREATE INDEX history_call ON history(call);
CREATE INDEX claims_number ON claims(number, at);
CREATE INDEX changes_seq ON changes(seq);
COMMIT;
PRAGMA user_version = 2;
PRAGMA application_id = 1413698125;
