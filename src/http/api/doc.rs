//! The OpenAPI 3.1 document: assembled by utoipa from the handlers' annotations and the types
//! they take and return, then given its security scheme, the `/api/v1` prefix and the error
//! responses every operation shares ([`StandardResponses`]).

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::SchemaType;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    Content, HeaderBuilder, InfoBuilder, KnownFormat, ObjectBuilder, OpenApi, OpenApiBuilder,
    Paths, Ref, RefOr, Required, Schema, SchemaFormat, Type,
};
use utoipa::{Modify, PartialSchema, ToSchema};

use super::params::TimeZone;
use crate::build_info;
use crate::http::problem::ProblemDoc;

/// The 403 of operations that a role restricts (most of an organization's data).
pub const ROLE: &str = "Your role does not allow this";

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
/// operations opt out with `security(())`), and adds the shared error responses.
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
    // referenced by every `tz` parameter
    components
        .schemas
        .insert(TimeZone::name().into_owned(), TimeZone::schema());
    StandardResponses.modify(api);
    required_on_create(api);
}

/// Inputs that one service type reads for both create (POST) and update (PATCH), and the
/// fields a create requires: the services answer "is required" when they are absent or null
/// there, and read absent or null as "unchanged" in an update.
const REQUIRED_ON_CREATE: [(&str, &str, &[&str]); 5] = [
    ("ClientInput", "NewClient", &["name"]),
    ("ProjectInput", "NewProject", &["name"]),
    ("TaskInput", "NewTask", &["name"]),
    ("TagInput", "NewTag", &["name"]),
    ("OrganizationInput", "NewOrganization", &["name"]),
];

/// Gives each create operation of [`REQUIRED_ON_CREATE`] the input's schema with those fields
/// required and not null, as a component of its own.
fn required_on_create(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    for (input, new, fields) in REQUIRED_ON_CREATE {
        let Some(RefOr::T(Schema::Object(mut object))) = components.schemas.get(input).cloned()
        else {
            panic!("{input} is not an object schema of the document");
        };
        for field in fields {
            let Some(RefOr::T(Schema::Object(property))) = object.properties.get_mut(*field) else {
                panic!("{input} has no property {field}");
            };
            if let SchemaType::Array(types) = &property.schema_type {
                property.schema_type =
                    SchemaType::from_iter(types.iter().filter(|t| **t != Type::Null).cloned());
            }
            object.required.push((*field).to_string());
        }
        components.schemas.insert(new.into(), object.into());
    }
    for item in api.paths.paths.values_mut() {
        let Some(body) = item.post.as_mut().and_then(|op| op.request_body.as_mut()) else {
            continue;
        };
        for content in body.content.values_mut() {
            if let Some(RefOr::Ref(reference)) = &mut content.schema
                && let Some((_, new, _)) = REQUIRED_ON_CREATE.iter().find(|(input, _, _)| {
                    reference.ref_location == format!("#/components/schemas/{input}")
                })
            {
                *reference = Ref::from_schema_name(*new);
            }
        }
    }
}

/// The error responses that follow from what an operation is, declared here once so that a
/// handler's annotation names only its own successes and the errors particular to it:
///
/// - it accepts credentials (required or optional): 401 when they are invalid; if it also
///   changes state, 403 when a request signed in with the session cookie lacks its CSRF token;
/// - it has path parameters: 404 (unknown or malformed ids, other organizations' data);
/// - it has query parameters: 422 naming the parameter;
/// - it takes a JSON body: 400 (not JSON), 413 (too large), 415 (not sent as JSON, when the
///   body is required) and 422 naming the fields;
/// - every operation: 500 and 503 (the request ran past its time limit, or the database is
///   unreachable).
///
/// Every error response without declared content, the handlers' own included, gets the RFC
/// 9457 problem+json body (`crate::http::error_body::render_errors` renders it).
pub struct StandardResponses;

impl Modify for StandardResponses {
    fn modify(&self, api: &mut OpenApi) {
        for (route, item) in api.paths.paths.iter_mut() {
            // the membership check of every organization-scoped operation may refuse a member
            // who lacks the two-factor sign-in the organization requires
            let org_scoped = route.contains("/organizations/{org");
            let operations = [
                (false, &mut item.post),
                (false, &mut item.put),
                (false, &mut item.patch),
                (false, &mut item.delete),
                (true, &mut item.get),
            ];
            for (safe, operation) in operations {
                if let Some(operation) = operation {
                    add_standard(operation, safe, org_scoped);
                }
            }
        }
        let components = api.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert(ProblemDoc::name().into_owned(), ProblemDoc::schema());
    }
}

fn add_standard(op: &mut Operation, safe: bool, org_scoped: bool) {
    // no `security` of its own: the document's default (bearer) applies
    let takes_credentials = op.security.as_ref().is_none_or(|requirements| {
        requirements
            .iter()
            .any(|r| *r != SecurityRequirement::default())
    });
    let has = |place: ParameterIn| {
        op.parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    let (path, query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    let body = op.request_body.as_ref().and_then(|body| {
        body.content
            .contains_key("application/json")
            .then_some(matches!(body.required, Some(Required::True)))
    });

    let responses = &mut op.responses.responses;
    let mut add = |status: u16, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    };
    if takes_credentials {
        add(401, "Not signed in, or the credentials are invalid");
    }
    if takes_credentials && !safe {
        add(403, "Forbidden");
    }
    if takes_credentials && org_scoped {
        add(403, "Forbidden");
    }
    if path {
        add(
            404,
            "Not found: an unknown or malformed id, or another organization's data",
        );
    }
    if let Some(required) = body {
        add(400, "The body is not valid JSON");
        add(413, "The body is larger than the server accepts");
        if required {
            add(
                415,
                "The body was not sent as Content-Type: application/json",
            );
        }
    }
    match (body.is_some(), query) {
        (true, true) => add(
            422,
            "Invalid fields or query parameters; `errors` names them",
        ),
        (true, false) => add(422, "Invalid fields; `errors` names them"),
        (false, true) => add(422, "Invalid query parameters; `errors` names them"),
        (false, false) => {}
    }
    add(
        500,
        "Something went wrong on the server; the request id identifies it in the log",
    );
    add(
        503,
        "The request ran past the server's time limit, or the database is unavailable",
    );
    if takes_credentials
        && org_scoped
        && let Some(RefOr::T(forbidden)) = responses.get_mut("403")
    {
        let two_factor = "the organization requires two-factor sign-in and yours is off";
        forbidden.description = match forbidden.description.as_str() {
            "Forbidden" => format!("Forbidden: {two_factor}"),
            own => format!("{own}; or {two_factor}"),
        };
    }
    if takes_credentials
        && !safe
        && let Some(RefOr::T(forbidden)) = responses.get_mut("403")
    {
        let csrf = "a request signed in with the session cookie lacks its X-CSRF-Token";
        forbidden.description = match forbidden.description.as_str() {
            "Forbidden" => format!("Forbidden: {csrf}"),
            own => format!("{own}; or {csrf}"),
        };
    }
    for (status, response) in responses.iter_mut() {
        if let RefOr::T(response) = response
            && status.starts_with(['4', '5'])
        {
            problem_body(status, response);
        }
    }
}

/// The problem+json body (unless the handler declared its own) and the headers that come with
/// some statuses.
fn problem_body(status: &str, response: &mut Response) {
    if response.content.is_empty() {
        let schema = RefOr::Ref(Ref::from_schema_name(ProblemDoc::name()));
        response.content.insert(
            "application/problem+json".into(),
            Content::new(Some(schema)),
        );
    }
    let header = |description: &str, format: Option<KnownFormat>| {
        let schema = ObjectBuilder::new()
            .schema_type(if format.is_some() {
                Type::Integer
            } else {
                Type::String
            })
            .format(format.map(SchemaFormat::KnownFormat));
        HeaderBuilder::new()
            .schema(schema)
            .description(Some(description))
            .build()
    };
    match status {
        "401" => {
            response
                .headers
                .entry("WWW-Authenticate".into())
                .or_insert_with(|| header("Bearer: how to authenticate", None));
        }
        "429" => {
            response
                .headers
                .entry("Retry-After".into())
                .or_insert_with(|| {
                    header(
                        "Seconds until a new attempt may succeed",
                        Some(KnownFormat::Int64),
                    )
                });
        }
        _ => {}
    }
}
