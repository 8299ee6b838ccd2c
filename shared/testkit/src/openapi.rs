use serde_json::Value;

use crate::workspace_root;

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
        let schema = response
            .get("content")
            .and_then(|c| c.get(content_type))
            .and_then(|c| c.get("schema"))
            .ok_or_else(|| {
                vec![format!(
                    "{method} {path} {status} documents no {content_type} schema"
                )]
            })?;
        // Validate against the whole document so `#/components/...` references resolve; the
        // document's own keys are not schema keywords and are ignored.
        let mut root = self.document.clone();
        if let Value::Object(map) = &mut root {
            map.insert("allOf".into(), Value::Array(vec![schema.clone()]));
        }
        let validator = jsonschema::validator_for(&root)
            .map_err(|e| vec![format!("schema does not compile: {e}")])?;
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
