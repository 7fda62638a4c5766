//! `DataValue`: the free-form data users write in `[extra]` tables and unknown front matter keys.
//!
//! YAML and TOML each have their own value type; converting both into this one keeps those
//! crates behind their parsers and gives templates one shape to read.

use std::collections::BTreeMap;

use serde::Serialize;

/// A plain data value: what YAML, TOML and templates all understand.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DataValue {
    /// An explicit empty value (`~` or `null` in YAML).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text; dates from TOML arrive here in their written form.
    String(String),
    /// A list.
    Array(Vec<DataValue>),
    /// A table with sorted keys, so output never depends on hash order.
    Table(DataTable),
}

/// A table of values with sorted keys.
pub type DataTable = BTreeMap<String, DataValue>;

impl DataValue {
    /// The text, when this value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            DataValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The name of this value's type, as a user would say it in an error message.
    pub fn type_name(&self) -> &'static str {
        match self {
            DataValue::Null => "nothing",
            DataValue::Bool(_) => "a boolean",
            DataValue::Integer(_) => "an integer",
            DataValue::Float(_) => "a number",
            DataValue::String(_) => "a string",
            DataValue::Array(_) => "a list",
            DataValue::Table(_) => "a table",
        }
    }
}

/// Converts a TOML value; TOML dates become their RFC 3339 text.
pub fn from_toml(value: toml::Value) -> DataValue {
    match value {
        toml::Value::String(s) => DataValue::String(s),
        toml::Value::Integer(i) => DataValue::Integer(i),
        toml::Value::Float(f) => DataValue::Float(f),
        toml::Value::Boolean(b) => DataValue::Bool(b),
        toml::Value::Datetime(d) => DataValue::String(d.to_string()),
        toml::Value::Array(items) => DataValue::Array(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => DataValue::Table(table_from_toml(table)),
    }
}

/// Converts a TOML table.
pub fn table_from_toml(table: toml::Table) -> DataTable {
    table.into_iter().map(|(k, v)| (k, from_toml(v))).collect()
}
