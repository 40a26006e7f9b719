//! The administration and desk pages in the browser: each administrator does their
//! duty on their own pages, a temporary password leads through the change form, an
//! analyst's 个人中心 and 消息中心 work (both databases; screenshots in docs/screens/).

use chrono::Utc;
use jiuye_identity::Identity;
use serde_json::json;

use crate::browser::Browser;
use crate::support::server;
use crate::support::{self, backends};
use crate::{LOAD_LIMIT, create_user, open_page, screens_dir, sign_in, sign_in_with};

/// Fills the named fields of `form` and submits it, then waits for its status to say
/// something other than "处理中…".
async fn submit(browser: &Browser, form: &str, fields: &[(&str, &str)]) -> String {
    let assignments: String = fields
        .iter()
        .map(|(name, value)| format!("f.elements[{}].value = {};", json!(name), json!(value)))
        .collect();
    browser
        .eval(&format!(
            "(() => {{ const f = document.querySelector({form}); {assignments} f.querySelector('.status').textContent = ''; f.requestSubmit(); return true; }})()",
            form = json!(form)
        ))
        .await;
    let status = format!("document.querySelector({}).querySelector('.status')", json!(form));
    browser
        .wait_for(&format!("{status}.textContent && {status}.textContent !== '处理中…'"), LOAD_LIMIT)
        .await;
    browser.eval(&format!("{status}.textContent")).await.as_str().unwrap().to_string()
}

fn code_now(totp: &Option<jiuye_identity::Totp>) -> String {
    totp.as_ref().expect("an administrator has TOTP").code_at(Utc::now().timestamp())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_administrator_does_their_duty_on_their_own_pages() {
    for db in backends().await {
        let system = create_user(&db, "sys", "system_admin", None).await;
        let security = create_user(&db, "sec", "security_admin", None).await;
        let audit = create_user(&db, "aud", "audit_admin", None).await;
        create_user(&db, "li", "city_analyst", None).await;
        let srv = server::start(&db).await;
        let browser = Browser::start().await;
        let shoot = |name: &str| screens_dir().join(format!("{name}.png"));
        let tiles = "[...document.querySelectorAll('.app-tile')].map(a => a.getAttribute('href')).join(' ')";

        // 用户管理: the system administrator makes an account (without a role).
        sign_in_with(&browser, &srv, "sys", Some(&code_now(&system))).await;
        let offered = browser.eval(tiles).await;
        let offered = offered.as_str().unwrap();
        assert!(offered.contains("#/admin/users") && !offered.contains("#/admin/roles"), "{offered}");
        assert!(
            !offered.contains("#/screen/"),
            "an administrator reads no business screens: {offered}"
        );
        open_page(&browser, "#/admin/users", "document.querySelectorAll('#users tbody tr').length > 0").await;
        let status = submit(&browser, "#create-user", &[("username", "wu"), ("password", "Temporary-Pass-42")]).await;
        assert_eq!(status, "已创建");
        browser
            .wait_for(
                "[...document.querySelectorAll('#users tbody tr')].some(r => r.textContent.includes('wu'))",
                LOAD_LIMIT,
            )
            .await;
        if db.name == "sqlite" {
            browser.screenshot(&shoot("admin_users")).await;
        }

        // 角色管理 and 密码应用: the security administrator gives wu a business role.
        sign_in_with(&browser, &srv, "sec", Some(&code_now(&security))).await;
        open_page(&browser, "#/admin/roles", "document.querySelectorAll('#roles tbody tr').length > 0").await;
        let status = submit(
            &browser,
            "#assign",
            &[("username", "wu"), ("role", "district_analyst"), ("district", "310115")],
        )
        .await;
        assert_eq!(status, "已分配");
        let identity = Identity::new(db.warehouse.clone(), support::keys());
        let wu = identity.user_info("wu", Utc::now()).await.unwrap();
        assert_eq!((wu.role.as_str(), wu.district.as_deref()), ("district_analyst", Some("310115")));
        if db.name == "sqlite" {
            browser.screenshot(&shoot("admin_roles")).await;
        }
        open_page(&browser, "#/admin/crypto", "!!document.querySelector('.sealing-version')").await;
        assert_eq!(browser.eval("document.querySelector('.sealing-version').textContent").await, "v1");
        let rows = browser.eval("document.querySelectorAll('#algorithms tbody tr').length").await;
        assert_eq!(rows, jiuye_privacy::ALGORITHMS.len());
        if db.name == "sqlite" {
            browser.screenshot(&shoot("admin_crypto")).await;
        }

        // wu's first sign-in: the temporary password leads to the change form and nothing
        // else; after the change wu signs in again and reaches the portal.
        browser
            .eval("(() => { try { sessionStorage.clear(); } catch (e) {} return true; })()")
            .await;
        browser.goto(&format!("{}/?as=wu#/login", srv.base)).await;
        browser.wait_for("!!document.querySelector('#login-form')", LOAD_LIMIT).await;
        browser
            .eval("(() => { const f = document.querySelector('#login-form'); f.username.value = 'wu'; f.password.value = 'Temporary-Pass-42'; f.requestSubmit(); return true; })()")
            .await;
        browser.wait_for("!!document.querySelector('#change-form')", LOAD_LIMIT).await;
        browser
            .eval("(() => { const f = document.querySelector('#change-form'); f.next.value = 'Chosen-Pass-77'; f.again.value = 'Chosen-Pass-77'; f.requestSubmit(); return true; })()")
            .await;
        browser
            .wait_for(
                "!!document.querySelector('.notice') && !!document.querySelector('#login-form')",
                LOAD_LIMIT,
            )
            .await;
        browser
            .eval("(() => { const f = document.querySelector('#login-form'); f.username.value = 'wu'; f.password.value = 'Chosen-Pass-77'; f.requestSubmit(); return true; })()")
            .await;
        browser
            .wait_for("document.querySelectorAll('.app-tile').length > 0", LOAD_LIMIT)
            .await;
        assert_eq!(
            browser
                .eval("document.querySelector('.topbar .who').textContent.includes('310115')")
                .await,
            true
        );

        // 个人中心 and 消息中心: an analyst makes a token for a script and reads a message.
        let inbox = jiuye_messages::Inbox::new(db.warehouse.clone());
        let message = jiuye_messages::NewMessage {
            kind: "etl.finished".into(),
            severity: jiuye_messages::Severity::Info,
            title: "招工登记导入完成".into(),
            body: "employment_registration_2025.csv：读取 120 行，入库 118 行，隔离 2 行。".into(),
            audience: jiuye_messages::Audience::Role("city_analyst".into()),
            dedup_key: None,
        };
        inbox.post(&message, Utc::now()).await.unwrap();
        sign_in(&browser, &srv, "li").await;
        open_page(&browser, "#/personal", "!!document.querySelector('#sessions table')").await;
        assert_eq!(
            browser
                .eval("document.querySelector('#sessions tbody').textContent.includes('当前会话')")
                .await,
            true
        );
        let status = submit(&browser, "#new-token", &[("label", "报表脚本"), ("days", "7")]).await;
        assert_eq!(status, "已创建");
        let token = browser.eval("document.querySelector('.new-token code').textContent").await;
        let token = token.as_str().unwrap();
        let me = srv.query(token, "{ me { holder role } }").await;
        assert_eq!(
            me["data"]["me"],
            json!({ "holder": "li: 报表脚本", "role": "city_analyst" }),
            "{me}"
        );
        if db.name == "sqlite" {
            // The picture goes in the repository: show the token's shape, not a token.
            browser
                .eval("(document.querySelector('.new-token code').textContent = 'jy_…（示例，仅显示一次）', true)")
                .await;
            browser.screenshot(&shoot("personal")).await;
        }
        open_page(&browser, "#/messages", "document.querySelectorAll('.message').length > 0").await;
        assert_eq!(
            browser.eval("document.querySelector('.message strong').textContent").await,
            "招工登记导入完成"
        );
        assert_eq!(browser.eval("document.querySelector('.topbar .unread b').textContent").await, "1");
        if db.name == "sqlite" {
            browser.screenshot(&shoot("messages")).await;
        }
        browser.eval("(document.querySelector('.mark-read').click(), true)").await;
        browser
            .wait_for("document.querySelector('.message').dataset.read === 'true'", LOAD_LIMIT)
            .await;
        assert_eq!(browser.eval("document.querySelector('.topbar .unread b').textContent").await, "0");

        // 审计日志: the audit administrator reads what the others did.
        srv.audit.flush().await;
        sign_in_with(&browser, &srv, "aud", Some(&code_now(&audit))).await;
        open_page(&browser, "#/admin/audit", "document.querySelectorAll('.list tbody tr').length > 0").await;
        let text = browser.eval("document.querySelector('.list').textContent").await;
        for expected in ["sys", "sec", "createUser", "assignRole"] {
            assert!(text.as_str().unwrap().contains(expected), "{expected} in the audit log page");
        }
        if db.name == "sqlite" {
            browser.screenshot(&shoot("admin_audit")).await;
        }
        assert_eq!(browser.errors(), Vec::<String>::new(), "the pages reported errors");

        drop(browser);
        srv.handle.abort();
        db.cleanup().await;
    }
}
