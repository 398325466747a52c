//! The CI token sources: GitHub Actions' ID-token endpoint and Azure DevOps' OIDC endpoint,
//! with their bearer checks and failure answers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::*;
use crate::sandbox::state::Shared;

pub(super) async fn github(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let response = if let Some(status) = queued_failure(&shared) {
        failure_answer(status)
    } else if method != Method::GET {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(json!({"message": "Method Not Allowed"})),
        )
            .into_response()
    } else if bearer(&headers) != Some(GITHUB_REQUEST_TOKEN) {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Unauthorized"})),
        )
            .into_response()
    } else {
        let audience = q
            .get("audience")
            .cloned()
            .unwrap_or_else(|| GITHUB_DEFAULT_AUDIENCE.to_string());
        let token = shared
            .issuer
            .mint(GITHUB_ISSUER, GITHUB_SUBJECT, &audience, 300);
        (StatusCode::OK, Json(json!({"count": 1, "value": token}))).into_response()
    };
    log(
        &shared,
        (&method, &uri, &headers),
        "github_oidc",
        response.status(),
        started,
        None,
    );
    response
}

pub(super) async fn azure_devops(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let ado_error = |status: StatusCode, message: &str| {
        (
            status,
            Json(json!({
                "$id": "1",
                "innerException": null,
                "message": message,
                "typeName": "Microsoft.TeamFoundation.DistributedTask.WebApi.TaskOrchestrationPlanSecurityException, Microsoft.TeamFoundation.DistributedTask.WebApi",
                "typeKey": "TaskOrchestrationPlanSecurityException",
                "errorCode": 0,
                "eventId": 3000
            })),
        )
            .into_response()
    };
    let suppress = headers
        .get("x-tfs-fedauthredirect")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("suppress"));
    let response = if let Some(status) = queued_failure(&shared) {
        failure_answer(status)
    } else if method != Method::POST {
        ado_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "The requested resource does not support http method 'GET'.",
        )
    } else if bearer(&headers) != Some(ADO_SYSTEM_ACCESS_TOKEN) {
        if suppress {
            (StatusCode::UNAUTHORIZED, "").into_response()
        } else {
            (
                StatusCode::NON_AUTHORITATIVE_INFORMATION,
                [("content-type", "text/html; charset=utf-8")],
                "<html><head><title>Azure DevOps Services | Sign In</title></head><body></body></html>",
            )
                .into_response()
        }
    } else if q.get("api-version").map(String::as_str) != Some("7.1") {
        ado_error(
            StatusCode::BAD_REQUEST,
            "The api-version query parameter must be 7.1.",
        )
    } else if !q
        .get("serviceConnectionId")
        .is_some_and(|id| id.eq_ignore_ascii_case(ADO_SERVICE_CONNECTION_ID))
    {
        ado_error(
            StatusCode::NOT_FOUND,
            "The service connection does not exist, is not shared with this project, or the pipeline is not authorized to use it.",
        )
    } else {
        let token = shared
            .issuer
            .mint(ADO_ISSUER, ADO_SUBJECT, FEDERATED_AUDIENCE, 600);
        (StatusCode::OK, Json(json!({"oidcToken": token}))).into_response()
    };
    log(
        &shared,
        (&method, &uri, &headers),
        "ado_oidc",
        response.status(),
        started,
        None,
    );
    response
}
