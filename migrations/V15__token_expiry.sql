-- Machine tokens expire and can be revoked (UTC text). Tokens created before this have
-- no expiry recorded: `jiuye token list` flags them for replacement.
ALTER TABLE meta_token ADD COLUMN expires_at TEXT;
ALTER TABLE meta_token ADD COLUMN revoked_at TEXT;
