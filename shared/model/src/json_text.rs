//! A stored field kept as JSON text: one string attribute in place of a nested list or map.
//!
//! A user's collections (email addresses, phone numbers, social connections, authenticators,
//! segments, public metadata) are rendered whole and never read one by one, nor named in a key,
//! a condition or a projection below the attribute. Stored natively, each of their scalars is an
//! attribute of its own on DynamoDB's wire (`{"M":{"id":{"S":"…"},…}}`), and the SDK decodes
//! each into a map entry on every read, which made Ada's user the most expensive request to
//! serve (BENCHMARKS.md). Stored as JSON text, a collection is one string attribute that
//! `serde_json` reads in one pass.
//!
//! Reading accepts both forms: JSON text, and the native list or map that items written before
//! this layout hold (`serde_dynamo` hands those over as a sequence or a map), so a table needs
//! no migration; an item is rewritten in the new form the next time it is put. Text that does
//! not parse as the field's type is an error, which the store reports as a corrupt item.
//!
//! `serde_with` does it: [`JsonText`] writes JSON text ([`JsonString`]) and reads the first of
//! JSON text and the native form that fits ([`PickFirst`]). Use with `#[serde_as(as =
//! "JsonText")]` on a `#[serde_as]` struct.

use serde_with::json::JsonString;
use serde_with::{PickFirst, Same};

/// A field stored as JSON text, read from JSON text or its native form.
pub type JsonText = PickFirst<(JsonString, Same)>;

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::{Map, Value, json};

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Pair {
        #[serde_as(as = "super::JsonText")]
        #[serde(default)]
        list: Vec<u32>,
        #[serde_as(as = "super::JsonText")]
        #[serde(default)]
        map: Map<String, Value>,
    }

    #[test]
    fn writes_json_text_and_reads_it_back() {
        let mut map = Map::new();
        map.insert("plan".into(), json!("enterprise"));
        map.insert("quote".into(), json!("a \"b\""));
        let pair = Pair {
            list: vec![1, 2],
            map,
        };
        let written = serde_json::to_value(&pair).unwrap();
        assert_eq!(
            written,
            json!({"list": "[1,2]", "map": r#"{"plan":"enterprise","quote":"a \"b\""}"#})
        );
        assert_eq!(serde_json::from_value::<Pair>(written).unwrap(), pair);
    }

    #[test]
    fn reads_the_native_form_of_items_written_before() {
        let pair: Pair =
            serde_json::from_value(json!({"list": [3], "map": {"seats": 25}})).unwrap();
        assert_eq!(pair.list, vec![3]);
        assert_eq!(pair.map["seats"], 25);
    }

    #[test]
    fn refuses_text_of_the_wrong_shape_and_other_types() {
        for bad in [
            json!({"list": "{}"}),
            json!({"list": "[1,"}),
            json!({"list": 7}),
        ] {
            assert!(
                serde_json::from_value::<Pair>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
