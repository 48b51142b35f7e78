-- The last TOTP time step a person used: a code works once (no replay within its 30 s).
ALTER TABLE auth_users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
