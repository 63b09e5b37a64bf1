use serde_json::json;

use crate::on_both_backends;
use crate::support::*;

on_both_backends!(stored_numbers_are_normalized_without_assuming_a_country, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let phones = json!([
        {"label": "work", "raw": "+49 89 636 48018", "primary": true},
        {"label": "mobile", "raw": "(089) 636-48018", "primary": false},
        {"label": "other", "raw": "call me", "primary": false},
        {"label": "home", "raw": "＋８１　９０－１２３４－５６７８"}
    ]);
    let answer = json(
        app.post("/api/v1/phones/normalize")
            .header("authorization", bearer())
            .json(&json!({"phones": phones, "country": null}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(
        answer.1,
        json!({"phones": [
            {"label": "work", "raw": "+49 89 636 48018", "e164": "+498963648018", "needs_country_code": false, "primary": true},
            {"label": "mobile", "raw": "(089) 636-48018", "e164": null, "needs_country_code": true, "primary": false},
            {"label": "other", "raw": "call me", "e164": null, "needs_country_code": false, "primary": false},
            {"label": "home", "raw": "＋８１　９０－１２３４－５６７８", "e164": "+819012345678", "needs_country_code": false, "primary": false}
        ]})
    );
    let with_country = json(
        app.post("/api/v1/phones/normalize")
            .header("authorization", bearer())
            .json(&json!({"phones": [{"label": "mobile", "raw": "(089) 636-48018"}], "country": "DE"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(with_country.1["phones"][0]["e164"], "+498963648018");
    assert_eq!(with_country.1["phones"][0]["needs_country_code"], true);

    let bad_country = json(
        app.post("/api/v1/phones/normalize")
            .header("authorization", bearer())
            .json(&json!({"phones": [], "country": "Germany"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&bad_country, 400, "invalid_request");
    let not_json = json(
        app.post("/api/v1/phones/normalize")
            .header("authorization", bearer())
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&not_json, 400, "invalid_request");
    app.stop().await;
});
