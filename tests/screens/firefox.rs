//! The screens in Firefox ESR (headless, over WebDriver BiDi), the other browser the
//! seed's users run beside the Chromium-based domestic ones: sign-in, every big screen
//! drawn with no console error, the map's drill by a real mouse click, the ticker, a
//! topic board. On SQLite: the page is the same whichever database answers it (the
//! Chromium test runs both), so one is enough to show the browser copes.

use super::browser::Browser;
use super::support::{self, demo_exports, server};
use super::{SCREENS, board, check_map_layers_and_drill, check_states, create_user, open_screen, screens_dir, session, sign_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screens_work_in_firefox_esr() {
    let exports = demo_exports(2, 0.05, 11);
    let db = support::sqlite().await;
    db.load(exports.path()).await;
    create_user(&db, "li", "city_analyst", None).await;
    let srv = server::start(&db).await;
    let browser = Browser::firefox().await;
    sign_in(&browser, &srv, "li").await;
    let token = session(&srv, "li").await;
    for code in SCREENS {
        let answer = board(&srv, &token, code).await;
        let took = open_screen(&browser, &srv, code).await;
        eprintln!("firefox: {code} drawn {took:?} after navigation");
        check_states(&browser, &answer, code).await;
        assert_eq!(browser.errors(), Vec::<String>::new(), "{code}: Firefox reported errors");
    }
    let answer = board(&srv, &token, "decision_support").await;
    open_screen(&browser, &srv, "decision_support").await;
    check_map_layers_and_drill(&browser, &srv, &token, &answer).await;
    assert!(super::ticker_records(&browser).await > 0, "the ticker has the day's records");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    browser.screenshot(&screens_dir().join("firefox_decision_support.png")).await;

    super::open_topic(&browser, &srv, "topic_overview").await;
    assert_eq!(browser.errors(), Vec::<String>::new(), "the topic board in Firefox reported errors");
    drop(browser);
    srv.handle.abort();
    db.cleanup().await;
}
