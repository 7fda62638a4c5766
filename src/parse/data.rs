//! Data files: the text of a JSON, YAML, TOML or CSV file (`data/talks.yaml`, or one a
//! template reads with `load_data`) into a [`DataValue`], or an error at the file's line and
//! column. It does not read files or decide which files are data: `load` does.

use std::collections::BTreeMap;
use std::path::Path;

use crate::data_value::{self, DataTable, DataValue};
use crate::error::{Error, Location, Result};
use crate::load::DataFile;
use crate::parse::front_matter;

/// The syntax of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataFormat {
    /// `.json`.
    Json,
    /// `.yaml` or `.yml`.
    Yaml,
    /// `.toml`.
    Toml,
    /// `.csv`: the first row names the columns; each other row becomes a table.
    Csv,
    /// Any text, as one string (only when asked for: `load_data(format="plain")`).
    Plain,
}

/// The format names `load_data(format=…)` accepts, for its error message.
pub const FORMAT_NAMES: &str = "`json`, `yaml`, `toml`, `csv` or `plain`";

impl DataFormat {
    /// The format a `load_data(format=…)` name stands for.
    pub fn from_name(name: &str) -> Option<DataFormat> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Some(DataFormat::Json),
            "yaml" | "yml" => Some(DataFormat::Yaml),
            "toml" => Some(DataFormat::Toml),
            "csv" => Some(DataFormat::Csv),
            "plain" | "text" | "txt" => Some(DataFormat::Plain),
            _ => None,
        }
    }

    /// The format of a file by its extension (`talks.yaml`), if it is a data file's.
    pub fn of_path(path: &str) -> Option<DataFormat> {
        let (_, extension) = path.rsplit_once('.')?;
        DataFormat::from_name(extension).filter(|format| *format != DataFormat::Plain)
    }
}

/// Parses `text`, the whole of `file`, as `format`.
///
/// # Errors
/// `Error::DataFile` at the line and column where the text stops being valid `format`, and
/// at the row of a CSV file whose number of fields differs from the header row's.
pub fn parse(file: &Path, text: &str, format: DataFormat) -> Result<DataValue> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |line: usize, column: usize, detail: String, hint: &str| Error::DataFile {
        location: Location::in_text(file, text, line, column),
        detail,
        hint: Some(hint.to_string()),
    };
    let deep = |format| {
        front_matter::too_deep(text, format).map(|(line, column)| {
            error(
                line,
                column,
                format!("lists and tables are nested more than {} levels deep", front_matter::MAX_DEPTH),
                "check for an unclosed `[` or `{`",
            )
        })
    };
    match format {
        DataFormat::Plain => Ok(DataValue::String(text.to_string())),
        DataFormat::Json => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => Ok(front_matter::from_json(value)),
            Err(e) => {
                let message = e.to_string();
                let detail = message.split(" at line ").next().unwrap_or(&message).to_string();
                let (mut line, mut column) = (e.line(), e.column());
                // serde_json points just past the newline when a line ends where the error is.
                if column == 0 && line > 1 {
                    line -= 1;
                    column = text.lines().nth(line - 1).map_or(0, |l| l.chars().count());
                }
                Err(error(line, column.max(1), format!("JSON: {detail}"), JSON_HINT))
            }
        },
        DataFormat::Yaml => {
            if let Some(too_deep) = deep(front_matter::Format::Yaml) {
                return Err(too_deep);
            }
            match serde_yaml::from_str::<serde_yaml::Value>(text) {
                Ok(value) => Ok(front_matter::from_yaml(value)),
                Err(e) => {
                    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                    let message = e.to_string();
                    let detail = message.split(" at line ").next().unwrap_or(&message).to_string();
                    Err(error(line, column, format!("YAML: {detail}"), YAML_HINT))
                }
            }
        }
        DataFormat::Toml => {
            if let Some(too_deep) = deep(front_matter::Format::Toml) {
                return Err(too_deep);
            }
            match toml::from_str::<toml::Table>(text) {
                Ok(table) => Ok(DataValue::Table(data_value::table_from_toml(table))),
                Err(e) => {
                    let (line, column) =
                        e.span().map_or((0, 0), |span| crate::config::line_column(text, span.start));
                    Err(error(line, column, format!("TOML: {}", e.message().trim_end()), TOML_HINT))
                }
            }
        }
        DataFormat::Csv => parse_csv(text).map_err(|(line, detail)| error(line, 1, detail, CSV_HINT)),
    }
}

/// The files under `data/` whose extension is a data format's, each parsed and placed in one
/// table by its path there without the extension: `data/talks.yaml` is `talks`,
/// `data/people/ada.toml` is `people.ada`. Other files under `data/` are left to `load_data`.
///
/// # Errors
/// Every file that does not parse, and two files that would have one name
/// (`talks.yaml` and `talks.json`), reported together.
pub fn data_folder(files: &[DataFile]) -> Result<DataTable> {
    let prefix = format!("{}/", crate::load::DATA_FOLDER);
    let mut table = DataTable::new();
    // Where each name came from, for the error when another file wants it.
    let mut owners: BTreeMap<Vec<String>, &Path> = BTreeMap::new();
    let mut errors = Vec::new();
    for file in files {
        let Some(relative) = file.site_path.strip_prefix(&prefix) else { continue };
        let (Some(format), Some(text)) = (DataFormat::of_path(relative), file.text.as_deref()) else {
            continue;
        };
        let value = match parse(&file.display_path, text, format) {
            Ok(value) => value,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let stem = relative.rsplit_once('.').map_or(relative, |(stem, _)| stem);
        let names: Vec<String> = stem.split('/').map(str::to_string).collect();
        // A name taken by another file, or a folder of files where a file is (or the reverse).
        let clash = (1..=names.len())
            .find_map(|n| owners.get(&names[..n]).copied())
            .or_else(|| owners.iter().find(|(taken, _)| taken.starts_with(&names)).map(|(_, owner)| *owner));
        if let Some(owner) = clash {
            errors.push(Error::DataFile {
                location: Location::file(&file.display_path),
                detail: format!(
                    "`{}` and `{}` both want the name `data.{}`",
                    owner.display(),
                    file.display_path.display(),
                    names.join(".")
                ),
                hint: Some("rename or remove one of them: a data file's name is its path under `data/` without the extension".into()),
            });
            continue;
        }
        owners.insert(names.clone(), &file.display_path);
        insert(&mut table, &names, value);
    }
    Error::fail_if_any(errors)?;
    Ok(table)
}

/// Puts `value` at `names` in `table`, making the tables on the way.
fn insert(table: &mut DataTable, names: &[String], value: DataValue) {
    let [name, rest @ ..] = names else { return };
    if rest.is_empty() {
        table.insert(name.clone(), value);
        return;
    }
    let inner = table.entry(name.clone()).or_insert_with(|| DataValue::Table(DataTable::new()));
    if let DataValue::Table(inner) = inner {
        insert(inner, rest, value);
    }
}

const JSON_HINT: &str = "check the brackets, quotes and commas: JSON has no trailing commas or comments";
const YAML_HINT: &str =
    "quote values with special characters (`: `, `#`, a leading `*` or `&`), and indent list items evenly";
const TOML_HINT: &str = "TOML is `key = value` lines and `[table]` headers; strings are quoted";
const CSV_HINT: &str =
    "every row needs as many fields as the header row; quote a field that holds a comma (`\"Paris, France\"`)";

/// A CSV text as a list of tables, one per row after the header row, each field under its
/// column's name; or the 1-based line of the first bad row and what is wrong with it.
fn parse_csv(text: &str) -> std::result::Result<DataValue, (usize, String)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let line_of = |error: &csv::Error| error.position().map_or(1, |p| p.line() as usize);
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(str::to_string).collect(),
        Err(error) => return Err((line_of(&error), format!("CSV: {error}"))),
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let detail = match error.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
                    "CSV: this row has {len} field{}, the header row has {expected_len}",
                    if *len == 1 { "" } else { "s" }
                ),
                csv::ErrorKind::Utf8 { .. } => "CSV: a field is not UTF-8 text".to_string(),
                _ => format!("CSV: {error}"),
            };
            (line_of(&error), detail)
        })?;
        let row =
            headers.iter().cloned().zip(record.iter().map(|field| DataValue::String(field.to_string())));
        rows.push(DataValue::Table(row.collect()));
    }
    Ok(DataValue::Array(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str, format: DataFormat) -> Result<DataValue> {
        parse(Path::new("data/x"), text, format)
    }

    fn location(result: Result<DataValue>) -> (usize, usize, String) {
        match result {
            Err(Error::DataFile { location, detail, .. }) => (location.line, location.column, detail),
            other => panic!("expected a data file error, got {other:?}"),
        }
    }

    fn file(site_path: &str, text: &str) -> DataFile {
        DataFile { site_path: site_path.into(), display_path: site_path.into(), text: Some(text.into()) }
    }

    #[test]
    fn the_data_folder_is_one_table_by_path() {
        let files = [
            file("data/people/ada.toml", "born = 1815\n"),
            file("data/readme.txt", "not data"),
            file("data/talks.yaml", "- a\n"),
        ];
        let table = data_folder(&files).unwrap();
        assert_eq!(table.keys().collect::<Vec<_>>(), ["people", "talks"]);
        let DataValue::Table(people) = &table["people"] else { panic!("not a table") };
        assert!(people.contains_key("ada"));
    }

    #[test]
    fn two_files_with_one_name_are_an_error_naming_both() {
        let files = [file("data/talks.json", "[]"), file("data/talks.yaml", "[]")];
        let Err(Error::DataFile { detail, .. }) = data_folder(&files) else { panic!("no error") };
        assert!(detail.contains("data/talks.json") && detail.contains("data/talks.yaml"), "{detail}");
        let files = [file("data/a.json", "{}"), file("data/a/b.json", "{}")];
        assert!(data_folder(&files).is_err());
    }

    #[test]
    fn formats_come_from_extensions_and_names() {
        assert_eq!(DataFormat::of_path("data/talks.yml"), Some(DataFormat::Yaml));
        assert_eq!(DataFormat::of_path("data/a.CSV"), Some(DataFormat::Csv));
        assert_eq!(DataFormat::of_path("data/notes.txt"), None);
        assert_eq!(DataFormat::of_path("data/README"), None);
        assert_eq!(DataFormat::from_name("plain"), Some(DataFormat::Plain));
        assert_eq!(DataFormat::from_name("xml"), None);
    }

    #[test]
    fn a_yaml_list_is_a_list_of_tables() {
        let value = parsed("- title: One\n  year: 2024\n- title: Two\n", DataFormat::Yaml).unwrap();
        let DataValue::Array(items) = value else { panic!("not a list") };
        assert_eq!(items.len(), 2);
        let DataValue::Table(first) = &items[0] else { panic!("not a table") };
        assert_eq!(first["year"], DataValue::Integer(2024));
    }

    #[test]
    fn csv_rows_are_tables_by_column_name() {
        let value = parsed("name,city\nAda,\"London, UK\"\r\nGrace,NYC\n", DataFormat::Csv).unwrap();
        let DataValue::Array(rows) = value else { panic!("not a list") };
        let DataValue::Table(first) = &rows[0] else { panic!("not a table") };
        assert_eq!(first["city"], DataValue::String("London, UK".into()));
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_ragged_csv_row_is_an_error_at_its_line() {
        let (line, _, detail) = location(parsed("a,b\n1,2\n3\n", DataFormat::Csv));
        assert_eq!(line, 3);
        assert!(detail.contains("1 field, the header row has 2"), "{detail}");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        assert_eq!(location(parsed("{\n  \"a\": 1,\n  \"b\" 2\n}\n", DataFormat::Json)).0, 3);
        let (line, column, _) = location(parsed("a = 1\nb = \n", DataFormat::Toml));
        assert_eq!((line, column > 0), (2, true));
        assert_eq!(location(parsed("- a\n- b: [1\n", DataFormat::Yaml)).0, 3);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = "[".repeat(10_000);
        assert!(location(parsed(&text, DataFormat::Yaml)).2.contains("nested"));
    }

    #[test]
    fn a_byte_order_mark_is_not_data() {
        assert_eq!(parsed("\u{feff}{\"a\": 1}", DataFormat::Json).unwrap(), {
            DataValue::Table([("a".to_string(), DataValue::Integer(1))].into_iter().collect())
        });
    }
}
