//! The `jiuye` binary as an operator uses it: `etl run --json`, `token create`, `query`,
//! and the errors that tell what to do.

mod support;

use std::process::Command;

use serde_json::Value;
use support::fixtures::{Reg, write_regs};

const KEY: &str = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";

fn jiuye(args: &[&str], db: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jiuye"))
        .args(args)
        .env("JIUYE_DATABASE_URL", db)
        .env("JIUYE_SECRET_KEY", KEY)
        .env_remove("JIUYE_KEY_FILE")
        .env_remove("JIUYE_DATABASE_SCHEMA")
        .output()
        .expect("run jiuye")
}

#[test]
fn etl_run_json_token_and_query() {
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("w.db").display().to_string();
    let input = work.path().join("in");
    std::fs::create_dir(&input).unwrap();
    write_regs(
        &input,
        "employment_registration_20240301.csv",
        &[
            Reg::hire("C1", 1, "310115", "2024-03-04"),
            Reg::hire("C2", 2, "310104", "2024-03-04"),
            Reg::hire("C3", 3, "310199", "2024-03-04"),
        ],
    );

    let out = jiuye(&["etl", "run", "--input", input.to_str().unwrap(), "--json"], &db);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    let f = &doc["files"][0];
    assert_eq!(f["file"], "employment_registration_20240301.csv");
    assert_eq!(f["feed"], "employment_registration");
    assert_eq!(
        (
            f["read"].as_u64(),
            f["loaded"].as_u64(),
            f["unchanged"].as_u64(),
            f["quarantined"].as_u64()
        ),
        (Some(3), Some(2), Some(0), Some(1))
    );

    let out = jiuye(&["token", "create", "--role", "district_analyst", "--district", "310115"], &db);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.lines().last().unwrap().starts_with("jy_"),
        "token is the last line: {stdout}"
    );
    let out = jiuye(&["token", "create", "--role", "district_analyst"], &db);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a district"));
    let out = jiuye(&["token", "create", "--role", "audit_admin"], &db);
    assert!(!out.status.success(), "administrators log in; no token holds their role");
    assert!(String::from_utf8_lossy(&out.stderr).contains("second factor"));

    let args = [
        "query",
        "--indicator",
        "hire_persons,hire_registrations",
        "--by",
        "district",
        "--grain",
        "MONTH",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
    ];
    let out = jiuye(&args, &db);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "period,district,hire_persons,hire_registrations\n2024-03,310104,1,1\n2024-03,310115,1,1\n"
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json", "--as-district", "310115"]);
    let out = jiuye(&json_args, &db);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["rows"],
        // One person is a small cell for a district caller: the whole row is suppressed.
        serde_json::json!([{"period": "2024-03", "district": "310115", "hire_persons": null, "hire_registrations": null, "suppressed": ["hire_persons", "hire_registrations"]}])
    );

    let out = jiuye(
        &[
            "query",
            "--indicator",
            "hire_persons",
            "--grain",
            "FORTNIGHT",
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
        ],
        &db,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DAY, WEEK, MONTH, QUARTER, YEAR"));
}

#[test]
fn loads_need_the_key_and_refuse_a_different_one() {
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("w.db").display().to_string();
    let input = work.path().join("in");
    std::fs::create_dir(&input).unwrap();
    write_regs(
        &input,
        "employment_registration_1.csv",
        &[Reg::hire("C1", 1, "310115", "2024-03-04")],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_jiuye"))
        .args(["etl", "run", "--input", input.to_str().unwrap(), "--database-url", &db])
        .env_remove("JIUYE_SECRET_KEY")
        .env_remove("JIUYE_KEY_FILE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("jiuye key generate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    assert!(jiuye(&["etl", "run", "--input", input.to_str().unwrap()], &db).status.success());
    let other_key = Command::new(env!("CARGO_BIN_EXE_jiuye"))
        .args(["etl", "run", "--input", input.to_str().unwrap(), "--database-url", &db])
        .env("JIUYE_SECRET_KEY", "11".repeat(32))
        .output()
        .unwrap();
    assert!(!other_key.status.success());
    assert!(
        String::from_utf8_lossy(&other_key.stderr).contains("would not join"),
        "{}",
        String::from_utf8_lossy(&other_key.stderr)
    );
}

#[test]
fn kb_search_show_and_check() {
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_jiuye")).args(args).output().expect("run jiuye");
    let out = run(&["kb", "search", "sydj"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .contains("失业登记")
    );
    let out = run(&["kb", "show", "失业登记"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Unemployment registration"));
    let out = run(&["kb", "show", "hire_persons", "--json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["name"], "招工登记人数");
    let out = run(&["kb", "show", "失业登己"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean"),
        "suggests: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["kb", "check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
