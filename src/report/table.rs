//! A query's result as lodestar reads it, whichever engine ran the query.

use chrono::NaiveDate;

/// One cell of a result.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Date(NaiveDate),
    Number(f64),
    Text(String),
}

impl Cell {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Cell::Date(d) => Some(*d),
            Cell::Text(s) => s.get(..10).and_then(|s| s.parse().ok()),
            _ => None,
        }
    }
}

/// A query result: column names and rows of cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}
