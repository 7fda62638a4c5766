//! `Value`: the free-form data users write in `[extra]` tables and unknown front matter keys.
//!
//! YAML and TOML each have their own value type; converting both into this one keeps those
//! crates behind their parsers and gives templates one shape to read.

use std::collections::BTreeMap;

use serde::Serialize;

/// A plain data value: what YAML, TOML and templates all understand.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
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
    Array(Vec<Value>),
    /// A table with sorted keys, so output never depends on hash order.
    Table(Table),
}

/// A table of values with sorted keys.
pub type Table = BTreeMap<String, Value>;

impl Value {
    /// The text, when this value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The name of this value's type, as a user would say it in an error message.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Table(_) => "a table",
        }
    }
}

/// Converts a TOML value; TOML dates become their RFC 3339 text.
pub fn from_toml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Integer(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => Value::Table(table_from_toml(table)),
    }
}

/// Converts a TOML table.
pub fn table_from_toml(table: toml::Table) -> Table {
    table.into_iter().map(|(k, v)| (k, from_toml(v))).collect()
}
