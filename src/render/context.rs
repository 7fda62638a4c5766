//! `RenderContext`: the data a template is rendered with. It offers the same `insert` calls
//! as `tera::Context`, so render code reads the same; it becomes a `tera::Context` only when
//! the render really runs.

use std::collections::BTreeMap;

use tera::{Context, Value};

/// The data a template is rendered with.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    entries: BTreeMap<&'static str, Value>,
}

impl RenderContext {
    /// An empty context.
    pub fn new() -> RenderContext {
        RenderContext::default()
    }

    /// Adds a value that Tera can serialize.
    pub fn insert<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.entries.insert(key, Value::from_serializable(value));
    }

    /// Adds a value that is already a Tera value.
    pub fn insert_value(&mut self, key: &'static str, value: Value) {
        self.entries.insert(key, value);
    }

    /// The Tera context for rendering.
    pub fn to_tera(&self) -> Context {
        let mut context = Context::new();
        for (key, value) in &self.entries {
            context.insert_value(*key, value.clone());
        }
        context
    }
}
