//! Attribution: how much of a ratio or derived North Star's change between the last two
//! analysed periods each operand explains, by the Shapley value ([`super::stats::shapley`]).
//!
//! A ratio `n / d` has the operands `n` and `d`; its parts reduce to the two-term average
//! `½ [(n₁ − n₀)/d₀ + (n₁ − n₀)/d₁]` and `½ [(n₀/d₁ − n₀/d₀) + (n₁/d₁ − n₁/d₀)]`. A derived
//! metric's operands are the metrics its expression names; the expression (identifiers,
//! numbers, `+ − * /`, unary minus, parentheses) is evaluated here, a zero divisor giving no
//! value.

use chrono::NaiveDate;
use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};

use super::stats::shapley;
use super::timeline::Timeline;
use super::{ProductData, Series};
use crate::model::{Compute, Metric, Operand};

/// The decomposition of one change of the North Star.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    pub metric: String,
    /// The two periods compared.
    pub from_period: NaiveDate,
    pub to_period: NaiveDate,
    /// The North Star computed from its operands in each period.
    pub from: f64,
    pub to: f64,
    /// One per operand; the contributions sum to `to − from` (up to rounding).
    pub parts: Vec<Part>,
}

impl Attribution {
    pub fn change(&self) -> f64 {
        self.to - self.from
    }
}

/// One operand's share of the change.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// The metric's name, or `numerator` / `denominator` for a ratio's measure.
    pub operand: String,
    pub from: f64,
    pub to: f64,
    pub contribution: f64,
}

/// Arithmetic over operands, from a derived metric's expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    Operand(usize),
    Number(f64),
    Neg(Box<Formula>),
    Add(Box<Formula>, Box<Formula>),
    Sub(Box<Formula>, Box<Formula>),
    Mul(Box<Formula>, Box<Formula>),
    Div(Box<Formula>, Box<Formula>),
}

impl Formula {
    /// Builds a formula from a derived expression; each identifier becomes an operand (its
    /// name is added to `names` once). `None` for anything but identifiers, numbers,
    /// `+ − * /`, unary `±` and parentheses.
    pub fn from_expr(expr: &Expr, names: &mut Vec<String>) -> Option<Formula> {
        let pair = |l: &Expr, r: &Expr, names: &mut Vec<String>| {
            Some((
                Box::new(Formula::from_expr(l, names)?),
                Box::new(Formula::from_expr(r, names)?),
            ))
        };
        Some(match expr {
            Expr::Identifier(id) => {
                let i = match names.iter().position(|n| *n == id.value) {
                    Some(i) => i,
                    None => {
                        names.push(id.value.clone());
                        names.len() - 1
                    }
                };
                Formula::Operand(i)
            }
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => Formula::Number(n.parse().ok()?),
                _ => return None,
            },
            Expr::Nested(e) => Formula::from_expr(e, names)?,
            Expr::UnaryOp { op, expr } => match op {
                UnaryOperator::Minus => Formula::Neg(Box::new(Formula::from_expr(expr, names)?)),
                UnaryOperator::Plus => Formula::from_expr(expr, names)?,
                _ => return None,
            },
            Expr::BinaryOp { left, op, right } => {
                let (l, r) = pair(left, right, names)?;
                match op {
                    BinaryOperator::Plus => Formula::Add(l, r),
                    BinaryOperator::Minus => Formula::Sub(l, r),
                    BinaryOperator::Multiply => Formula::Mul(l, r),
                    BinaryOperator::Divide => Formula::Div(l, r),
                    _ => return None,
                }
            }
            _ => return None,
        })
    }

    /// The value at `x` (operand `i` is `x[i]`); `None` on a zero divisor or a non-finite result.
    pub fn eval(&self, x: &[f64]) -> Option<f64> {
        let v = match self {
            Formula::Operand(i) => *x.get(*i)?,
            Formula::Number(n) => *n,
            Formula::Neg(a) => -a.eval(x)?,
            Formula::Add(a, b) => a.eval(x)? + b.eval(x)?,
            Formula::Sub(a, b) => a.eval(x)? - b.eval(x)?,
            Formula::Mul(a, b) => a.eval(x)? * b.eval(x)?,
            Formula::Div(a, b) => {
                let d = b.eval(x)?;
                if d == 0.0 {
                    return None;
                }
                a.eval(x)? / d
            }
        };
        v.is_finite().then_some(v)
    }
}

/// The North Star's formula and its operands' labels and series.
fn operands<'d>(
    ns: &Metric,
    data: &'d ProductData,
) -> Option<(Formula, Vec<(String, &'d Series)>)> {
    match ns.compute.as_ref()? {
        Compute::Ratio {
            numerator,
            denominator,
            ..
        } => {
            let side = |o: &Operand, label: &str| match o {
                Operand::Metric(name) => Some((name.value.clone(), data.series.get(&name.value)?)),
                Operand::Measure(_) => Some((label.to_owned(), data.operands.get(label)?)),
            };
            let ops = vec![
                side(numerator, "numerator")?,
                side(denominator, "denominator")?,
            ];
            let formula =
                Formula::Div(Box::new(Formula::Operand(0)), Box::new(Formula::Operand(1)));
            Some((formula, ops))
        }
        Compute::Derived { expr, .. } => {
            let mut names = Vec::new();
            let formula = Formula::from_expr(expr.expr()?, &mut names)?;
            let ops = names
                .into_iter()
                .map(|n| {
                    let s = data.series.get(&n)?;
                    Some((n, s))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((formula, ops))
        }
        _ => None,
    }
}

/// The attribution of the North Star's change between the last two analysed periods; `None`
/// for a North Star that is not a ratio or derived metric, when an operand is unknown in
/// either period, or when the formula is undefined on a mixture of the two periods.
pub fn attribute(ns: &Metric, data: &ProductData, timeline: &Timeline) -> Option<Attribution> {
    let (formula, ops) = operands(ns, data)?;
    let last = timeline.len().checked_sub(1)?;
    let prev = last.checked_sub(1)?;
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (_, series) in &ops {
        let v = timeline.align(series);
        before.push(v[prev]?);
        after.push(v[last]?);
    }
    let contributions = shapley(&before, &after, |x| formula.eval(x))?;
    Some(Attribution {
        metric: ns.name.value.clone(),
        from_period: timeline.periods[prev],
        to_period: timeline.periods[last],
        from: formula.eval(&before)?,
        to: formula.eval(&after)?,
        parts: ops
            .into_iter()
            .zip(contributions)
            .enumerate()
            .map(|(i, ((operand, _), contribution))| Part {
                operand,
                from: before[i],
                to: after[i],
                contribution,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::GenericDialect;
    use sqlparser::parser::Parser;

    fn formula(text: &str) -> (Option<Formula>, Vec<String>) {
        let expr = Parser::new(&GenericDialect {})
            .try_with_sql(text)
            .unwrap()
            .parse_expr()
            .unwrap();
        let mut names = Vec::new();
        (Formula::from_expr(&expr, &mut names), names)
    }

    #[test]
    fn derived_expressions_evaluate() {
        let (f, names) = formula("(buyers * basket - refunds) / 2 + -buyers * 0.5");
        let f = f.unwrap();
        assert_eq!(names, ["buyers", "basket", "refunds"]);
        // (10·3 − 4)/2 − 5 = 8.
        assert_eq!(f.eval(&[10.0, 3.0, 4.0]), Some(8.0));
        let (f, _) = formula("a / (b - c)");
        assert_eq!(f.unwrap().eval(&[1.0, 2.0, 2.0]), None);
        assert_eq!(formula("sqrt(a)").0, None);
        assert_eq!(formula("a % b").0, None);
        assert_eq!(formula("'x'").0, None);
    }
}
