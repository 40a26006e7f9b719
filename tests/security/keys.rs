//! 密钥更新 on SQLite and PostgreSQL: `jiuye key rotate` adds a data key while a server
//! runs, `jiuye key reseal` moves every sealed value (ODS fields, raw lines, TOTP
//! secrets) under it in place, the server keeps logging administrators in without a
//! restart, and `jiuye key retire` is refused until nothing is left under the old key.

use std::collections::BTreeMap;

use chrono::Utc;
use jiuye_audit::{AuditFilter, AuditLog};
use jiuye_identity::Identity;
use jiuye_privacy::{KeySource, Keys, Place};

use super::{PASSWORD, login, token_of, user};
use crate::support::{self, backends, fixtures, server};

/// Every sealed ODS value of the employment registrations, opened: (row, column) → text.
async fn opened(db: &support::TestDb, keys: &Keys) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let rows = db
        .rows("SELECT file_id, line_no, id_number_enc, name_enc FROM ods_employment_registration ORDER BY file_id, line_no")
        .await;
    for row in rows {
        let row_id = format!("{}:{}", row[0], row[1]);
        for (column, sealed) in [("id_number_enc", &row[2]), ("name_enc", &row[3])] {
            let place = Place {
                table: "ods_employment_registration",
                column,
                row: &row_id,
            };
            let text = keys.open(sealed, &place).unwrap_or_else(|e| panic!("{row_id} {column}: {e}"));
            out.insert((row_id.clone(), column.to_string()), text);
        }
    }
    out
}

async fn sealed_prefixes(db: &support::TestDb) -> Vec<String> {
    let mut rows = db
        .rows("SELECT substr(id_number_enc, 1, 3) FROM ods_employment_registration UNION SELECT substr(totp_secret_enc, 1, 3) FROM meta_user WHERE totp_secret_enc IS NOT NULL")
        .await;
    rows.sort();
    rows.into_iter().map(|mut r| r.remove(0)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_key_rotates_without_a_restart_and_retires_once_nothing_needs_it() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("jiuye.key");
        // The tests' master secret (support::keys), so the warehouse accepts the file.
        std::fs::write(&key_file, format!("# test key\n{}\n", "2a".repeat(32))).unwrap();
        let keys = Keys::load(&KeySource::File(key_file.clone())).unwrap();
        assert_eq!(keys.fingerprint(), support::keys().fingerprint());

        let exports = tempfile::tempdir().unwrap();
        fixtures::write_regs(exports.path(), "employment_registration_2024.csv", &fixtures::sample());
        db.load(exports.path()).await;
        let identity = Identity::new(db.warehouse.clone(), keys.clone());
        let totp = identity
            .create_user(user("zhao", "security_admin"), Utc::now())
            .await
            .unwrap()
            .expect("an administrator gets a TOTP secret");
        let before = opened(&db, &keys).await;
        assert!(!before.is_empty());
        assert_eq!(sealed_prefixes(&db).await, vec!["v1."]);
        let srv = server::start_with_keys(&db, jiuye_graphql::Limits::default(), keys.clone()).await;

        let jiuye = |args: &[&str]| {
            let out = db
                .cli()
                .env_remove("JIUYE_SECRET_KEY")
                .env("JIUYE_KEY_FILE", &key_file)
                .args(args)
                .output()
                .unwrap();
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            (out.status.success(), text)
        };
        let (ok, text) = jiuye(&["key", "rotate", "--no-reseal"]);
        assert!(ok, "{text}");
        let (ok, text) = jiuye(&["key", "retire", "1"]);
        assert!(!ok && text.contains("still sealed under data key 1"), "{text}");
        let (ok, text) = jiuye(&["key", "reseal", "--batch", "7"]);
        assert!(ok && text.contains("re-sealed"), "{text}");
        assert_eq!(sealed_prefixes(&db).await, vec!["v2."], "everything moved, across batches of 7");
        let (ok, text) = jiuye(&["key", "reseal"]);
        assert!(ok && text.contains("re-sealed 0 values"), "a second run has nothing to do: {text}");

        // The values are the same, and open only in their places, under the new key.
        let fresh = Keys::load(&KeySource::File(key_file.clone())).unwrap();
        assert_eq!(opened(&db, &fresh).await, before);
        // The running server met data key 2 in a TOTP secret and re-read its file.
        let code = totp.code_at(Utc::now().timestamp());
        token_of(&login(&srv, "zhao", PASSWORD, Some(&code)).await);

        let (ok, text) = jiuye(&["key", "retire", "1"]);
        assert!(ok, "{text}");
        let (ok, status) = jiuye(&["key", "status"]);
        assert!(ok && status.contains("1 (retired), 2 (sealing)"), "{status}");
        assert!(status.contains("v2: ") && !status.contains("v1"), "{status}");
        assert_eq!(opened(&db, &Keys::load(&KeySource::File(key_file.clone())).unwrap()).await, before);

        // A rotation re-seals by default: everything moves to key 3 in one command.
        let (ok, text) = jiuye(&["key", "rotate"]);
        assert!(ok && text.contains("re-sealed"), "{text}");
        assert_eq!(sealed_prefixes(&db).await, vec!["v3."]);
        assert_eq!(opened(&db, &Keys::load(&KeySource::File(key_file.clone())).unwrap()).await, before);

        let actions: Vec<String> = AuditLog::new(db.warehouse.clone(), keys.clone())
            .list(&AuditFilter::default(), 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .filter(|a| a.starts_with("key."))
            .collect();
        assert_eq!(actions.len(), 6, "{actions:?}");
        for action in ["key.rotated", "key.resealed", "key.retired"] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
        srv.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_commands_explain_what_they_need() {
    let db = support::sqlite().await;
    let exports = tempfile::tempdir().unwrap();
    fixtures::write_regs(exports.path(), "employment_registration_2024.csv", &fixtures::sample());
    db.load(exports.path()).await;
    let out = db.cli().args(["key", "rotate"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("--key-file or set JIUYE_KEY_FILE"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.key");
    let out = db.cli().args(["key", "generate", "--out"]).arg(&other).output().unwrap();
    assert!(out.status.success());
    let out = db.cli().args(["key", "rotate", "--key-file"]).arg(&other).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a key file of another master secret is refused: {text}");
    assert_eq!(
        std::fs::read_to_string(&other).unwrap().lines().count(),
        1,
        "and the file is not rotated"
    );
    db.cleanup().await;
}
