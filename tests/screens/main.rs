//! The screens in a real browser (headless Chromium over the DevTools protocol), on
//! SQLite and PostgreSQL with demo data: sign-in, the 工作台 portal, and each big screen
//! — every panel renders, no console error, displayed numbers equal the GraphQL answer
//! for the same board, a district user sees only its district. Screenshots at 1920×1080
//! go to docs/screens/ (linked from the README).

#[path = "../support/browser.rs"]
mod browser;
#[path = "../support/mod.rs"]
mod support;

mod admin;
mod firefox;

use std::time::Duration;

use browser::Browser;
use chrono::Utc;
use jiuye_identity::{Identity, NewUser};
use serde_json::{Value, json};
use support::server::{self, Server};
use support::{backends, demo_exports};

pub(crate) const PASSWORD: &str = "Screen-Passw0rd-42";
/// The big screens, each a board of the model.
pub(crate) const SCREENS: [&str; 3] = ["decision_support", "business_handling", "situation_analysis"];

pub(crate) fn screens_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screens")
}

/// Every panel of the board drew without error (as GraphQL answered it), and the
/// figures of each figures and completion panel are the answer's.
async fn check_screen(browser: &Browser, answer: &Value, code: &str) {
    let as_of = browser.eval("document.querySelector('.as-of').value").await;
    assert_eq!(as_of, answer["latestDataDay"], "{code} opens on the latest data day");
    assert_eq!(answer["board"]["asOf"], answer["latestDataDay"]);
    check_states(browser, answer, code).await;
    for panel in answer["board"]["panels"].as_array().unwrap() {
        let panel_code = panel["code"].as_str().unwrap();
        if matches!(panel["view"]["widget"].as_str(), Some("numbers" | "completion")) && panel["error"].is_null() {
            assert_figures_match(&shown_figures(browser, panel_code).await, answer, panel_code);
        }
    }
}

/// Every panel of the board is drawn, failed where GraphQL's answer failed and only there.
pub(crate) async fn check_states(browser: &Browser, answer: &Value, code: &str) {
    let states = browser
        .eval("Object.fromEntries([...document.querySelectorAll('.panel')].map(p => [p.dataset.panel, p.dataset.state]))")
        .await;
    let panels = answer["board"]["panels"].as_array().unwrap();
    assert_eq!(
        states.as_object().unwrap().len(),
        panels.len(),
        "{code}: every panel drawn: {states}"
    );
    for panel in panels {
        let panel_code = panel["code"].as_str().unwrap();
        let expected = if panel["error"].is_null() { "ok" } else { "error" };
        assert_eq!(states[panel_code], expected, "{code}.{panel_code}");
    }
}
pub(crate) const LOAD_LIMIT: Duration = Duration::from_secs(60);

pub(crate) async fn create_user(db: &support::TestDb, username: &str, role: &str, district: Option<&str>) -> Option<jiuye_identity::Totp> {
    let identity = Identity::new(db.warehouse.clone(), support::keys());
    let new = NewUser {
        username: username.into(),
        display_name: None,
        role: role.into(),
        district: district.map(str::to_string),
        password: PASSWORD.into(),
    };
    identity.create_user(new, Utc::now()).await.unwrap()
}

pub(crate) async fn session(srv: &Server, username: &str) -> String {
    let login = json!({
        "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
        "variables": { "u": username, "p": PASSWORD },
    });
    srv.post(None, None, login).await.2["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Signs in through the login form, as a person would.
pub(crate) async fn sign_in(browser: &Browser, srv: &Server, username: &str) {
    sign_in_with(browser, srv, username, None).await;
}

/// Signs in with a TOTP code too (administrators), from a fresh document.
pub(crate) async fn sign_in_with(browser: &Browser, srv: &Server, username: &str, code: Option<&str>) {
    // A new tab has no storage yet (about:blank); later, the previous user's session goes.
    browser
        .eval("(() => { try { sessionStorage.clear(); } catch (e) {} return true; })()")
        .await;
    browser.goto(&format!("{}/?as={username}#/login", srv.base)).await;
    browser.wait_for("!!document.querySelector('#login-form')", LOAD_LIMIT).await;
    let fill = format!(
        "(() => {{ const f = document.querySelector('#login-form'); f.username.value = {u}; f.password.value = {p}; \
           f.code.value = {c}; f.requestSubmit(); return true; }})()",
        u = json!(username),
        p = json!(PASSWORD),
        c = json!(code.unwrap_or(""))
    );
    browser.eval(&fill).await;
    browser
        .wait_for("document.querySelectorAll('.app-tile').length > 0", LOAD_LIMIT)
        .await;
}

/// The board's answer over GraphQL, dated as the screen is by default.
pub(crate) async fn board(srv: &Server, token: &str, code: &str) -> Value {
    let query = format!(r#"{{ latestDataDay board(code: "{code}") {{ asOf panels {{ code rows error view {{ widget }} }} }} }}"#);
    let answer = srv.query(token, &query).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

/// Opens a screen and waits until every panel has drawn (and the map has its districts).
pub(crate) async fn open_screen(browser: &Browser, srv: &Server, code: &str) -> Duration {
    // A new document each time (the query differs), as when a screen is opened cold.
    let visit = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    browser.goto(&format!("{}/?visit={visit}#/screen/{code}", srv.base)).await;
    let took = browser
        .wait_for(
            "(() => { const g = document.querySelector('.screen-grid'); const p = [...document.querySelectorAll('.panel')]; \
             return g && g.dataset.loaded && p.length > 0 && p.every(x => x.dataset.state) \
               && [...document.querySelectorAll('.widget-map .body')].every(b => b.dataset.districts); })()",
            LOAD_LIMIT,
        )
        .await;
    took
}

/// The figures a panel displays: indicator → the raw value behind the shown text.
async fn shown_figures(browser: &Browser, panel: &str) -> Value {
    browser
        .eval(&format!(
            "Object.fromEntries([...document.querySelectorAll('[data-panel={panel}] [data-indicator]')].map(e => \
               [e.dataset.indicator, (e.querySelector('.value') || e).dataset.raw ?? null]))"
        ))
        .await
}

fn latest_row<'a>(answer: &'a Value, panel: &str) -> &'a Value {
    let panel = answer["board"]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == panel)
        .unwrap();
    panel["rows"].as_array().and_then(|r| r.last()).unwrap_or(&Value::Null)
}

/// The displayed figures of `panel` equal the GraphQL answer's latest row.
fn assert_figures_match(shown: &Value, answer: &Value, panel: &str) {
    let row = latest_row(answer, panel);
    let shown = shown.as_object().unwrap();
    assert!(!shown.is_empty(), "{panel}: no figures shown");
    for (indicator, raw) in shown {
        let expected = match &row[indicator] {
            // A day without rows had none of these events: the screen shows 0.
            Value::Null if row.is_null() => "0".to_string(),
            Value::Null => String::new(),
            v => v.to_string(),
        };
        let raw = raw.as_str().unwrap_or("");
        let same = raw == expected || raw.parse::<f64>().ok() == expected.parse::<f64>().ok() && !raw.is_empty();
        assert!(same, "{panel}.{indicator}: shown {raw:?}, GraphQL {expected:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screens_show_the_boards_numbers_to_whom_they_belong() {
    let exports = demo_exports(2, 0.05, 11);
    for db in backends().await {
        db.load(exports.path()).await;
        create_user(&db, "li", "city_analyst", None).await;
        create_user(&db, "zhou", "district_analyst", Some("310115")).await;
        let srv = server::start(&db).await;
        let browser = Browser::start().await;

        if db.name == "sqlite" {
            browser.goto(&format!("{}/#/login", srv.base)).await;
            browser.wait_for("!!document.querySelector('#login-form')", LOAD_LIMIT).await;
            browser.screenshot(&screens_dir().join("login.png")).await;
        }
        sign_in(&browser, &srv, "li").await;
        let tiles: Vec<String> = serde_json::from_value(
            browser
                .eval("[...document.querySelectorAll('.app-tile')].map(a => a.getAttribute('href'))")
                .await,
        )
        .unwrap();
        assert!(tiles.contains(&"#/screen/decision_support".to_string()), "{tiles:?}");

        if db.name == "sqlite" {
            browser.screenshot(&screens_dir().join("portal.png")).await;
        }
        let token = session(&srv, "li").await;
        for code in SCREENS {
            let answer = board(&srv, &token, code).await;
            let took = open_screen(&browser, &srv, code).await;
            eprintln!("{}: {code} drawn {took:?} after navigation", db.name);
            check_screen(&browser, &answer, code).await;
            if db.name == "sqlite" {
                // Let the numbers finish counting up.
                tokio::time::sleep(Duration::from_millis(1200)).await;
                browser.screenshot(&screens_dir().join(format!("{code}.png"))).await;
            }
            assert_eq!(browser.errors(), Vec::<String>::new(), "{code}: the page reported errors");
        }
        let answer = board(&srv, &token, "decision_support").await;
        open_screen(&browser, &srv, "decision_support").await;
        let districts = browser
            .eval("document.querySelector('[data-panel=map_employment] .body').dataset.districts")
            .await;
        assert_eq!(districts, "16");
        let statuses = browser
            .eval("Object.fromEntries([...document.querySelectorAll('[data-panel=overall_completion] li')].map(l => [l.dataset.indicator, l.dataset.status]))")
            .await;
        let row = latest_row(&answer, "overall_completion");
        let mut coloured = 0;
        for (indicator, shown) in statuses.as_object().unwrap() {
            let expected = row[format!("{indicator}_status")].as_str().unwrap_or("none");
            assert_eq!(shown, expected, "{indicator}: the status colour is the answer's");
            coloured += usize::from(expected != "none");
        }
        assert!(coloured > 0, "the demo's targets colour some indicators: {statuses}");
        check_map_layers_and_drill(&browser, &srv, &token, &answer).await;
        let shown = ticker_records(&browser).await;
        assert_eq!(
            shown,
            today_records(&db, &srv, &token, &answer).await,
            "the ticker shows the day's records"
        );
        assert_eq!(browser.errors(), Vec::<String>::new(), "the decision screen reported errors");

        // New data: a finished ETL run redraws the open screen (graphql-ws), no timer.
        let dir = tempfile::tempdir().unwrap();
        support::fixtures::write_regs(dir.path(), "employment_registration_20240301.csv", &support::fixtures::sample());
        let out = db.cli().args(["etl", "run", "--input"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let run = db.rows("SELECT MAX(run_id) FROM meta_etl_run WHERE finished_at IS NOT NULL").await;
        browser
            .wait_for(
                &format!("document.querySelector('.stage').dataset.dataVersion === 'run-{}'", run[0][0]),
                LOAD_LIMIT,
            )
            .await;

        // A topic board: the city's figure, then by district, by employer, and the rows.
        let topic = open_topic(&browser, &srv, "topic_overview").await;
        let panel = "overall_employment";
        let period = latest_row(&topic, panel)["period"].as_str().unwrap().to_string();
        let by_district = drill(&srv, &token, "hire_persons", &period, &[], "district").await;
        browser
            .eval(&format!(
                "(document.querySelector('[data-panel={panel}] .drill-bar select').value = 'hire_persons', true)"
            ))
            .await;
        click(
            &browser,
            &format!("[data-panel={panel}] .start-drill"),
            "[data-panel=overall_employment] .drill-into",
        )
        .await;
        let shown = browser
            .eval(&format!(
                "Object.fromEntries([...document.querySelectorAll('[data-panel={panel}] .drill tbody tr')].map(r => \
                   [r.querySelector('.drill-into').dataset.code, r.querySelector('[data-raw]').dataset.raw]))"
            ))
            .await;
        let rows = by_district["rows"].as_array().unwrap();
        assert_eq!(shown.as_object().unwrap().len(), rows.len(), "one row a district: {shown}");
        for row in rows {
            let district = row["district"].as_str().unwrap();
            assert_eq!(
                shown[district].as_str().unwrap_or(""),
                row["hire_persons"].to_string(),
                "{district}"
            );
        }
        let pudong = format!("[data-panel={panel}] .drill-into[data-code='310115']");
        click(&browser, &pudong, "[data-panel=overall_employment] .crumbs").await;
        browser
            .wait_for(
                "document.querySelector('[data-panel=overall_employment] .crumbs').textContent.includes('按单位')",
                LOAD_LIMIT,
            )
            .await;
        let employers = drill(&srv, &token, "hire_persons", &period, &[("district", "310115")], "employer").await;
        let count = browser
            .eval("document.querySelectorAll('[data-panel=overall_employment] .drill tbody tr').length")
            .await;
        assert_eq!(count, employers["rows"].as_array().unwrap().len());
        click(
            &browser,
            "[data-panel=overall_employment] .drill-into",
            "[data-panel=overall_employment] .detail-rows",
        )
        .await;
        let headers = browser
            .eval("[...document.querySelectorAll('[data-panel=overall_employment] .detail-rows th')].map(t => t.textContent)")
            .await;
        let headers: Vec<String> = serde_json::from_value(headers).unwrap();
        assert!(headers.contains(&"line_no".to_string()), "lineage shown: {headers:?}");
        for personal in ["id_number", "name", "birth_date", "person_key"] {
            assert!(!headers.iter().any(|h| h == personal), "{personal} is never shown: {headers:?}");
        }
        if db.name == "sqlite" {
            browser.screenshot(&screens_dir().join("topic_overview.png")).await;
        }
        assert_eq!(browser.errors(), Vec::<String>::new(), "the topic board reported errors");

        // 知识库: a 并称 finds both terms; a term links to its indicators; an indicator's
        // page shows its 口径 as the dictionary has it.
        open_page(&browser, "#/kb", "document.querySelectorAll('#dictionary tbody tr').length > 0").await;
        browser
            .eval("(() => { const i = document.querySelector('.kb-search input'); i.value = '招退工'; i.form.requestSubmit(); return true; })()")
            .await;
        browser
            .wait_for("document.querySelectorAll('.kb-hits a').length >= 2", LOAD_LIMIT)
            .await;
        let hits = browser
            .eval("[...document.querySelectorAll('.kb-hits a')].map(a => a.textContent).join(' ')")
            .await;
        assert!(
            hits.as_str().unwrap().contains("招工登记") && hits.as_str().unwrap().contains("退工登记"),
            "{hits}"
        );
        if db.name == "sqlite" {
            browser.screenshot(&screens_dir().join("kb.png")).await;
        }
        click(
            &browser,
            ".kb-hits a[href='#/kb/term/hire_registration']",
            ".term .indicator-links a",
        )
        .await;
        click(
            &browser,
            ".term .indicator-links a[href='#/kb/indicator/hire_persons']",
            ".indicator .definition",
        )
        .await;
        let shown = browser.eval("document.querySelector('.indicator .definition').textContent").await;
        let dictionary = srv
            .query(&token, r#"{ indicator(code: "hire_persons") { definition definitionEn } }"#)
            .await;
        assert_eq!(shown, dictionary["data"]["indicator"]["definition"]);
        assert!(
            dictionary["data"]["indicator"]["definitionEn"]
                .as_str()
                .is_some_and(|e| e.contains("Distinct persons")),
            "{dictionary}"
        );
        assert_eq!(browser.errors(), Vec::<String>::new(), "the knowledge base reported errors");

        // A district analyst: the same screen, only 浦东新区's numbers.
        let zhou = session(&srv, "zhou").await;
        browser
            .eval(&format!("sessionStorage.setItem('jiuye.token', {})", json!(zhou)))
            .await;
        let answer = board(&srv, &zhou, "decision_support").await;
        open_screen(&browser, &srv, "decision_support").await;
        let districts = browser
            .eval("document.querySelector('[data-panel=map_employment] .body').dataset.districts")
            .await;
        assert_eq!(districts, "1", "a district user's map holds its district alone");
        let map_row = &answer["board"]["panels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == "map_employment")
            .unwrap()["rows"];
        assert!(map_row.as_array().unwrap().iter().all(|r| r["district"] == "310115"), "{map_row}");
        assert_figures_match(&shown_figures(&browser, "today_updates").await, &answer, "today_updates");
        assert_eq!(ticker_records(&browser).await, 0, "a district analyst reads no detail rows");
        let note = browser.eval("document.querySelector('.ticker-note').textContent").await;
        assert!(note.as_str().unwrap().contains("不查看办理明细"), "{note}");
        assert_eq!(browser.errors(), Vec::<String>::new(), "the page reported errors");

        drop(browser);
        srv.handle.abort();
        db.cleanup().await;
    }
}

/// The map's points are the layers' (every open facility, every posting open on the
/// day); a real mouse click on 闵行区 drills into it, and its card shows the panel's
/// figures for the district as GraphQL answered them.
pub(crate) async fn check_map_layers_and_drill(browser: &Browser, srv: &Server, token: &str, answer: &Value) {
    let day = answer["latestDataDay"].as_str().unwrap();
    let layers = srv
        .query(
            token,
            &format!(r#"{{ f: mapLayer(layer: FACILITIES) {{ code }} p: mapLayer(layer: POSTINGS, asOf: "{day}") {{ code }} }}"#),
        )
        .await;
    let expected = layers["data"]["f"].as_array().unwrap().len() + layers["data"]["p"].as_array().unwrap().len();
    assert!(expected > 16, "{layers}");
    let points = browser
        .eval("document.querySelector('[data-panel=map_employment] .body').dataset.points")
        .await;
    assert_eq!(points, json!(expected.to_string()));
    // 闵行区's centre as the packaged GeoJSON gives it, in the page's pixels.
    let at = browser
        .eval(
            "(() => { const dom = document.querySelector('[data-panel=map_employment] .chart'); \
               const chart = echarts.getInstanceByDom(dom); \
               const cp = echarts.getMap('shanghai').geoJSON.features.find(f => String(f.id) === '310112').properties.cp; \
               const [x, y] = chart.convertToPixel({ geoIndex: 0 }, cp); const r = dom.getBoundingClientRect(); \
               const s = r.width / dom.offsetWidth; return [r.left + x * s, r.top + y * s]; })()",
        )
        .await;
    browser.click_at(at[0].as_f64().unwrap(), at[1].as_f64().unwrap()).await;
    browser
        .wait_for(
            "document.querySelector('.district-card:not([hidden])')?.dataset.district === '310112'",
            LOAD_LIMIT,
        )
        .await;
    let card = browser
        .eval("Object.fromEntries([...document.querySelectorAll('.district-card dd')].map(d => [d.dataset.indicator, d.dataset.raw]))")
        .await;
    let panel = answer["board"]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "map_employment")
        .unwrap();
    let row = panel["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["district"] == "310112")
        .unwrap();
    for (indicator, shown) in card.as_object().unwrap() {
        let expected = row[indicator].to_string();
        assert_eq!(
            shown.as_str().unwrap().parse::<f64>().ok(),
            expected.parse::<f64>().ok(),
            "闵行区 {indicator}"
        );
    }
    click(browser, ".district-card .back-to-city", ".district-card[hidden]").await;
}

/// How many records the ticker shows, once it has them.
pub(crate) async fn ticker_records(browser: &Browser) -> usize {
    browser
        .wait_for("!!document.querySelector('.ticker[data-records]')", LOAD_LIMIT)
        .await;
    let n = browser.eval("document.querySelector('.ticker').dataset.records").await;
    n.as_str().unwrap().parse().unwrap()
}

/// The day's records of the ticker's indicators as `drillDetail` pages them (at most 12
/// each, as the ticker asks).
async fn today_records(db: &support::TestDb, srv: &Server, token: &str, answer: &Value) -> usize {
    let day = answer["latestDataDay"].as_str().unwrap();
    let panel = db.catalog.boards["decision_support"]
        .panels
        .iter()
        .find(|p| p.code == "today_records")
        .unwrap();
    let mut total = 0;
    for indicator in &panel.indicators {
        let page = srv
            .query(
                token,
                &format!(r#"{{ drillDetail(indicator: "{indicator}", grain: DAY, period: "{day}", pageSize: 12) {{ rows }} }}"#),
            )
            .await;
        total += page["data"]["drillDetail"]["rows"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"))
            .len();
    }
    assert!(total > 0, "the demo's last day has records");
    total
}

/// Opens a topic board cold and waits for every panel; returns GraphQL's answer.
pub(crate) async fn open_topic(browser: &Browser, srv: &Server, code: &str) -> Value {
    let token = browser.eval("sessionStorage.getItem('jiuye.token')").await;
    let answer = board(srv, token.as_str().unwrap(), code).await;
    browser.goto(&format!("{}/?topic={code}#/board/{code}", srv.base)).await;
    browser
        .wait_for(
            "(() => { const p = [...document.querySelectorAll('.board-panel')]; return p.length > 0 && p.every(x => x.dataset.state); })()",
            LOAD_LIMIT,
        )
        .await;
    check_states(browser, &answer, code).await;
    answer
}

/// Clicks the first element matching `selector`, then waits for `then` to exist.
pub(crate) async fn click(browser: &Browser, selector: &str, then: &str) {
    browser
        .eval(&format!("(document.querySelector({}).click(), true)", json!(selector)))
        .await;
    browser
        .wait_for(&format!("!!document.querySelector({})", json!(then)), LOAD_LIMIT)
        .await;
}

/// GraphQL's drill answer for a cell, as the page asks it.
async fn drill(srv: &Server, token: &str, indicator: &str, period: &str, cell: &[(&str, &str)], by: &str) -> Value {
    let cell: Vec<Value> = cell.iter().map(|(d, v)| json!({ "dimension": d, "values": [v] })).collect();
    let body = json!({
        "query": "query($i: String!, $p: String!, $c: [Filter!]!, $b: String) { drill(indicator: $i, grain: MONTH, period: $p, cell: $c, by: $b) { rows } }",
        "variables": { "i": indicator, "p": period, "c": cell, "b": by },
    });
    let answer = srv.post(Some(token), None, body).await.2;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["drill"].clone()
}

/// Opens a desk page and waits for `ready` (a script expression).
pub(crate) async fn open_page(browser: &Browser, hash: &str, ready: &str) {
    browser.eval(&format!("(location.hash = {}, true)", json!(hash))).await;
    browser.wait_for(ready, LOAD_LIMIT).await;
}
