//! The OpenAPI 3.1 document: assembled by utoipa from the handlers' annotations and the types
//! they take and return, then given its security scheme and the `/api/v1` prefix.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder, Paths};

use crate::build_info;

pub fn base() -> OpenApi {
    let info = InfoBuilder::new()
        .title("GoGoTime API")
        .version(build_info::VERSION)
        .description(Some(
            "Team time tracking: accounts, organizations, clients, projects, tasks, tags, rates, time entries and the timer. \
             Errors are RFC 9457 problem+json. Authenticate with `Authorization: Bearer` (an access token from /auth/token \
             or a personal API token).",
        ))
        .build();
    OpenApiBuilder::new().info(info).build()
}

/// Prefixes every path, declares bearer authentication and requires it by default (public
/// operations opt out with `security(())`).
pub fn finish(api: &mut OpenApi, prefix: &str) {
    let mut paths = Paths::new();
    for (path, item) in std::mem::take(&mut api.paths.paths) {
        paths.paths.insert(format!("{prefix}{path}"), item);
    }
    api.paths = paths;
    let components = api.components.get_or_insert_with(Default::default);
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.description =
        Some("An access token (JWT) from /auth/token, or a personal API token (ggt_…)".into());
    components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    api.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
}
