use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::Value;

use crate::workspace_root;

/// The compiled validators of this test binary, by `method path status content type`: each
/// schema is compiled once, not once per response.
static VALIDATORS: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();

/// `openapi.yaml`, for validating response bodies against the documented schemas.
#[derive(Debug, Clone)]
pub struct OpenApi {
    document: Value,
}

impl OpenApi {
    /// `openapi.yaml` from the repository root, parsed once per test binary.
    pub fn load() -> Self {
        static DOCUMENT: std::sync::OnceLock<OpenApi> = std::sync::OnceLock::new();
        DOCUMENT.get_or_init(Self::read).clone()
    }

    fn read() -> Self {
        let path = workspace_root().join("openapi.yaml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let document: Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("openapi.yaml: {e}"));
        Self { document }
    }

    /// The whole document.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The documented response of `method path` with `status`, if any.
    pub fn response(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        self.document
            .get("paths")?
            .get(path)?
            .get(method.to_lowercase())?
            .get("responses")?
            .get(status.to_string())
    }

    /// A validator of the documented schema of parameter `name` of `method path`, to hold the
    /// server's parsing to exactly what the document promises.
    pub fn parameter(&self, method: &str, path: &str, name: &str) -> Validator {
        let parameters = self.document["paths"][path][method.to_lowercase()]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has no parameters"));
        let schema = parameters
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["schema"].clone())
            .unwrap_or_else(|| panic!("{method} {path} documents no parameter {name}"));
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The validator of `response`'s `content_type` schema, against the whole document so that
    /// `#/components/...` references resolve (the document's own keys are not schema keywords
    /// and are ignored).
    fn compile(
        &self,
        response: &Value,
        name: &str,
        content_type: &str,
    ) -> Result<Validator, Vec<String>> {
        let schema = response
            .get("content")
            .and_then(|c| c.get(content_type))
            .and_then(|c| c.get("schema"))
            .ok_or_else(|| vec![format!("{name} documents no schema")])?;
        let mut root = self.document.clone();
        if let Value::Object(map) = &mut root {
            map.insert("allOf".into(), Value::Array(vec![schema.clone()]));
        }
        jsonschema::validator_for(&root).map_err(|e| vec![format!("schema does not compile: {e}")])
    }

    /// Checks that `status` is documented for `method path` with `content_type`, and that
    /// `body` matches its schema. Returns every violation.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: &str,
        body: &Value,
    ) -> Result<(), Vec<String>> {
        let response = self.response(method, path, status).ok_or_else(|| {
            vec![format!(
                "{method} {path} has no documented {status} response"
            )]
        })?;
        let name = format!("{method} {path} {status} {content_type}");
        let validators = VALIDATORS.get_or_init(Mutex::default);
        let cached = validators.lock().expect("validators").get(&name).cloned();
        let validator = match cached {
            Some(validator) => validator,
            None => {
                let compiled = Arc::new(self.compile(response, &name, content_type)?);
                validators
                    .lock()
                    .expect("validators")
                    .insert(name, compiled.clone());
                compiled
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
