-- Opinion maps (opinion crate): conversations in the manner of Polis inside a participation
-- process (or imported from a Polis export), their statements, participants and latest votes,
-- and the result the computing node stores for all nodes. `process_id` is the participation
-- process's id, used through its functions only. Participants and statements carry a number
-- per conversation (Polis's participant and comment ids), which is what the math sees.
CREATE TABLE op_conversations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    process_id INTEGER,
    topic TEXT NOT NULL,
    description TEXT NOT NULL,
    locale TEXT NOT NULL,
    status TEXT NOT NULL,
    strict INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0,
    next_statement INTEGER NOT NULL DEFAULT 0,
    next_participant INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX op_conversations_tenant ON op_conversations (tenant_id, process_id);
CREATE TABLE op_statements (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    conversation_id INTEGER NOT NULL REFERENCES op_conversations(id),
    num INTEGER NOT NULL,
    author INTEGER,
    body TEXT NOT NULL,
    locale TEXT NOT NULL,
    moderation INTEGER NOT NULL,
    meta INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (conversation_id, num)
);
CREATE TABLE op_participants (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    conversation_id INTEGER NOT NULL REFERENCES op_conversations(id),
    num INTEGER NOT NULL,
    key_hash TEXT NOT NULL,
    user_id INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (conversation_id, num),
    UNIQUE (conversation_id, key_hash)
);
CREATE INDEX op_participants_user ON op_participants (tenant_id, user_id);
CREATE TABLE op_votes (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    conversation_id INTEGER NOT NULL REFERENCES op_conversations(id),
    participant INTEGER NOT NULL,
    statement INTEGER NOT NULL,
    vote INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    voted_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, participant, statement)
);
CREATE INDEX op_votes_seq ON op_votes (conversation_id, seq);
CREATE TABLE op_results (
    conversation_id INTEGER PRIMARY KEY REFERENCES op_conversations(id),
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    seq INTEGER NOT NULL,
    computed_at INTEGER NOT NULL,
    millis INTEGER NOT NULL,
    node TEXT NOT NULL,
    lease_until INTEGER NOT NULL,
    analysis TEXT NOT NULL,
    model TEXT NOT NULL
);
