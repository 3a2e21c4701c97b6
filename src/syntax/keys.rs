//! The key catalogue: every key of the spec language, declared once with where it is allowed
//! ([`Place`]), the shape of its value ([`Shape`]), how the DSL writes it ([`Dsl`]) and its
//! documentation.
//!
//! Everything that knows the keys reads them from here: the YAML walker (which keys a map may
//! have, and "did you mean" for the others), the DSL builder (which statements a block has, and
//! simple statements without a grammar rule of their own), both printers (the canonical order of
//! keys is the order of this table), the JSON Schema ([`crate::schema`]) and the language
//! reference (`docs/language.md`, [`reference_markdown`]). A new measure option is one row here
//! plus its meaning in `model/` and `sql/`.

use super::values::{Agg, Cadence, CompareAs, ConversionAs, Game, Grain, MetricType};

/// Where a key may appear: the kind of map it is a key of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    File,
    Owner,
    Source,
    Metric,
    Measure,
    Ratio,
    Compare,
    Conversion,
    /// The `base` or the `event` of a conversion.
    ConversionSide,
    Threshold,
    Target,
    Review,
    Allow,
}

impl Place {
    pub const ALL: &'static [Place] = &[
        Place::File,
        Place::Owner,
        Place::Source,
        Place::Metric,
        Place::Measure,
        Place::Ratio,
        Place::Compare,
        Place::Conversion,
        Place::ConversionSide,
        Place::Threshold,
        Place::Target,
        Place::Review,
        Place::Allow,
    ];

    /// The name of its definition in the JSON Schema and its heading in the reference.
    pub fn name(self) -> &'static str {
        match self {
            Place::File => "file",
            Place::Owner => "owner",
            Place::Source => "source",
            Place::Metric => "metric",
            Place::Measure => "measure",
            Place::Ratio => "ratio",
            Place::Compare => "compare",
            Place::Conversion => "conversion",
            Place::ConversionSide => "conversion_side",
            Place::Threshold => "threshold",
            Place::Target => "target",
            Place::Review => "review",
            Place::Allow => "allow",
        }
    }

    /// How messages name one map of this place ("unknown key `x` in a metric").
    pub fn noun(self) -> &'static str {
        match self {
            Place::File => "the spec",
            Place::Owner => "an owner",
            Place::Source => "a source",
            Place::Metric => "a metric",
            Place::Measure => "a measure",
            Place::Ratio => "a ratio",
            Place::Compare => "`compare`",
            Place::Conversion => "`conversion`",
            Place::ConversionSide => "a conversion's `base` or `event`",
            Place::Threshold => "`threshold`",
            Place::Target => "a target",
            Place::Review => "`review`",
            Place::Allow => "an `allow` entry",
        }
    }

    /// How messages name a list of maps of this place ("expected a list of metrics").
    pub fn list_noun(self) -> &'static str {
        match self {
            Place::Metric => "metrics",
            Place::Target => "`{ by, value }`",
            Place::Allow => "`{ code, reason }`",
            _ => "maps",
        }
    }

    pub fn doc(self) -> &'static str {
        match self {
            Place::File => "A lodestar spec file: one product with its North Star, inputs and guardrails, and owners and sources shared by the project.",
            Place::Owner => "An owner accountable for metrics.",
            Place::Source => "A relation metrics aggregate: a `table` or one `sql` SELECT, and its `time` column.",
            Place::Metric => "A metric: a name, an owner, a type and exactly one of `measure`, `ratio` or `derived`.",
            Place::Measure => "An aggregation over one source.",
            Place::Ratio => "numerator / denominator.",
            Place::Compare => "Another metric of the product, `offset` periods earlier: its value then, the change since, or the growth since.",
            Place::Conversion => "The share (or number) of entities with a `base` row in the period that have an `event` row within `within` after it.",
            Place::ConversionSide => "A source, and optionally a filter on its rows.",
            Place::Threshold => "Bounds for a guardrail: `min`, `max`, or both.",
            Place::Target => "A dated value to reach.",
            Place::Review => "How often the North Star is re-examined.",
            Place::Allow => "An exemption from a rule, with its reason.",
        }
    }

    /// Whether the YAML printer writes a map of this place on one line (`{ a: 1, b: 2 }`) when
    /// it fits.
    pub fn flow(self) -> bool {
        matches!(
            self,
            Place::Owner
                | Place::Measure
                | Place::Compare
                | Place::ConversionSide
                | Place::Threshold
                | Place::Target
                | Place::Review
                | Place::Allow
        )
    }

    /// The key a lone scalar stands for (`growth: Growth team` is `{ name: Growth team }`).
    pub fn shorthand(self) -> Option<Key> {
        match self {
            Place::Owner => Some(Key::OwnerName),
            Place::Allow => Some(Key::AllowCode),
            _ => None,
        }
    }

    /// Keys every map of this place must have.
    pub fn required(self) -> &'static [Key] {
        match self {
            Place::File => &[Key::Lodestar],
            Place::Source => &[Key::SourceTime],
            Place::Metric => &[Key::MetricName],
            Place::Measure => &[Key::MeasureSource, Key::MeasureAgg],
            Place::Ratio => &[Key::Numerator, Key::Denominator],
            Place::Compare => &[Key::CompareMetric],
            Place::Conversion => &[Key::Entity, Key::Base, Key::Event, Key::Within],
            Place::ConversionSide => &[Key::SideSource],
            Place::Target => &[Key::TargetBy, Key::TargetValue],
            Place::Allow => &[Key::AllowCode],
            _ => &[],
        }
    }

    /// Keys of which a map of this place has exactly one.
    pub fn one_of(self) -> &'static [Key] {
        match self {
            Place::Source => &[Key::SourceTable, Key::SourceSql],
            Place::Metric => &[
                Key::Measure,
                Key::Ratio,
                Key::Derived,
                Key::Compare,
                Key::Conversion,
            ],
            Place::Measure => &[],
            _ => &[],
        }
    }

    /// The keys of this place, in canonical order.
    pub fn keys(self) -> impl Iterator<Item = Key> {
        Key::ALL.iter().copied().filter(move |k| k.place() == self)
    }

    /// The YAML names of this place's keys, for "did you mean".
    pub fn yaml_names(self) -> Vec<&'static str> {
        self.keys().map(Key::name).collect()
    }

    /// The key called `name` in this place.
    pub fn key(self, name: &str) -> Option<Key> {
        self.keys().find(|k| k.name() == name)
    }

    /// The words that start a statement in this place's DSL block (the top of a file for
    /// [`Place::File`]), each once, in catalogue order.
    pub fn dsl_statements(self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for k in Key::ALL {
            if let Dsl::Statement { word, block } = k.dsl() {
                if block == self && !out.contains(&word) {
                    out.push(word);
                }
            }
        }
        out
    }

    /// The key a DSL statement word sets in this block.
    pub fn dsl_key(self, word: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(
            |k| matches!(k.dsl(), Dsl::Statement { word: w, block } if w == word && block == self),
        )
    }
}

/// The shape of a key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The version of the spec language: `1`.
    Version,
    /// Free text.
    Text,
    /// A name: letters, digits, `_` (and `-`, which the checks refuse where it matters).
    Name,
    /// One word of a closed set.
    Choice(&'static [&'static str]),
    Number,
    /// A number between 0 and 1.
    Fraction,
    /// `YYYY-MM-DD`.
    Date,
    /// A number of days: `7 days`, `7d` or `7`.
    Days,
    /// `true` or `false`; in the DSL, the statement alone means `true`.
    Flag,
    Email,
    /// A dotted relation name: `schema.table`.
    Table,
    /// One SQL expression.
    Sql,
    /// One SQL SELECT.
    Select,
    /// A rule's code or name.
    Code,
    /// A map of the keys of a place.
    Map(Place),
    /// A list of maps of a place (a lone map is read as a list of one).
    List(Place),
    /// One map of a place (a list of them is read, so that the checks can say there is more
    /// than one).
    One(Place),
    /// Names to maps of a place (`owners`, `sources`).
    Named(Place),
    /// Names to SQL expressions (`dimensions`).
    NamedSql,
    /// Column names, or names to SQL types.
    Columns,
    /// A measure, or the name of another metric of the product.
    Operand,
}

impl Shape {
    /// Whether the value is one scalar.
    pub fn is_scalar(self) -> bool {
        matches!(
            self,
            Shape::Version
                | Shape::Text
                | Shape::Name
                | Shape::Choice(_)
                | Shape::Number
                | Shape::Fraction
                | Shape::Date
                | Shape::Days
                | Shape::Flag
                | Shape::Email
                | Shape::Table
                | Shape::Sql
                | Shape::Select
                | Shape::Code
        )
    }

    /// The value in words, for the reference.
    pub fn describe(self) -> String {
        match self {
            Shape::Version => "`1`".to_owned(),
            Shape::Text => "text".to_owned(),
            Shape::Name => "a name".to_owned(),
            Shape::Choice(names) => format!("one of {}", backticked(names)),
            Shape::Number => "a number".to_owned(),
            Shape::Fraction => "a number from 0 to 1".to_owned(),
            Shape::Date => "a date, `YYYY-MM-DD`".to_owned(),
            Shape::Days => "a number of days, `7 days`".to_owned(),
            Shape::Flag => "`true` or `false`".to_owned(),
            Shape::Email => "an email address".to_owned(),
            Shape::Table => "a dotted relation name".to_owned(),
            Shape::Sql => "a SQL expression".to_owned(),
            Shape::Select => "one SQL SELECT".to_owned(),
            Shape::Code => "a rule code or name".to_owned(),
            Shape::Map(p) => format!("a [{}](#{}) map", p.name(), p.name()),
            Shape::List(p) => format!("a list of [{}](#{}) maps", p.name(), p.name()),
            Shape::One(p) => {
                format!("a [{}](#{}) map, or a list of them", p.name(), p.name())
            }
            Shape::Named(p) => format!("names to [{}](#{}) maps", p.name(), p.name()),
            Shape::NamedSql => "names to SQL expressions".to_owned(),
            Shape::Columns => "a list of column names, or names to SQL types".to_owned(),
            Shape::Operand => "a [measure](#measure) map, or the name of a metric".to_owned(),
        }
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the DSL writes a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dsl {
    /// A statement of its own, starting with `word`, in the block of `block` (at the top of the
    /// file for [`Place::File`]). Statements of a scalar key that have no grammar rule of their
    /// own are read generically: `word value`.
    Statement { word: &'static str, block: Place },
    /// Written as part of another statement (a metric's header, a measure's line, a source's
    /// line), as in the example.
    Part(&'static str),
}

const fn stmt(word: &'static str, block: Place) -> Dsl {
    Dsl::Statement { word, block }
}

macro_rules! catalogue {
    ($($variant:ident : $place:ident $name:literal, $shape:expr, $dsl:expr, $doc:literal;)+) => {
        /// A key of the spec language: one row of the catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Key { $($variant),+ }

        impl Key {
            /// Every key, in canonical order within each place.
            pub const ALL: &'static [Key] = &[$(Key::$variant),+];

            pub fn place(self) -> Place {
                match self { $(Key::$variant => Place::$place),+ }
            }

            /// The key as YAML writes it.
            pub fn name(self) -> &'static str {
                match self { $(Key::$variant => $name),+ }
            }

            pub fn shape(self) -> Shape {
                match self { $(Key::$variant => $shape),+ }
            }

            pub fn dsl(self) -> Dsl {
                match self { $(Key::$variant => $dsl),+ }
            }

            /// How a help text tells a file of `syntax` to write this key with `value`:
            /// `` `owner: growth` `` in YAML, `` `owner growth` `` in the DSL (its example when
            /// the key is part of another statement).
            pub fn written(self, syntax: super::Syntax, value: &str) -> String {
                match (syntax, self.dsl()) {
                    (super::Syntax::Lode, Dsl::Statement { word, .. }) => {
                        format!("`{word} {value}`")
                    }
                    (super::Syntax::Lode, Dsl::Part(example)) => format!("`{example}`"),
                    (super::Syntax::Yaml, _) => format!("`{}: {value}`", self.name()),
                }
            }

            /// The word of its DSL statement (its YAML name when it has none).
            pub fn dsl_word(self) -> &'static str {
                match self.dsl() {
                    Dsl::Statement { word, .. } => word,
                    Dsl::Part(_) => self.name(),
                }
            }

            /// One or two sentences: what the key means.
            pub fn doc(self) -> &'static str {
                match self { $(Key::$variant => $doc),+ }
            }
        }
    };
}

use Dsl::Part;
use Place as P;

catalogue! {
    Lodestar: File "lodestar", Shape::Version, stmt("lodestar", P::File),
        "The version of the spec language. Always 1; marks the file as a lodestar spec.";
    Product: File "product", Shape::Name, stmt("product", P::File),
        "The product's name (snake_case, unique in the project).";
    ProductDescription: File "description", Shape::Text, Part(r#"product marketplace "Two-sided lodging marketplace.""#),
        "What the product is, in a sentence.";
    Game: File "game", Shape::Choice(Game::NAMES), stmt("game", P::File),
        "The game the product plays: attention, transaction or productivity.";
    Owners: File "owners", Shape::Named(P::Owner), stmt("owner", P::File),
        "Owners by key. Shared by every file of the project.";
    Sources: File "sources", Shape::Named(P::Source), stmt("source", P::File),
        "Sources by name: the relations metrics aggregate. Shared by every file of the project.";
    NorthStar: File "north_star", Shape::One(P::Metric), stmt("north star", P::File),
        "The product's single North Star: the number that best captures the value users get.";
    Inputs: File "inputs", Shape::List(P::Metric), stmt("input", P::File),
        "The input metrics that drive the North Star.";
    Guardrails: File "guardrails", Shape::List(P::Metric), stmt("guardrail", P::File),
        "Metrics that must not degrade while the North Star is pushed; each has a threshold.";
    Outcomes: File "outcomes", Shape::List(P::Metric), stmt("outcome", P::File),
        "The lagging business results (revenue, retention) the North Star should lead; what `lodestar analyze` tests it against.";

    OwnerName: Owner "name", Shape::Text, Part(r#"owner growth "Growth team""#),
        "The team's or person's name.";
    OwnerEmail: Owner "email", Shape::Email, Part(r#"owner growth "Growth team" <growth@example.com>"#),
        "A contact email address.";
    OwnerSlack: Owner "slack", Shape::Text, Part(r##"owner growth "Growth team" slack "#growth""##),
        "A Slack channel, e.g. \"#growth\".";

    SourceDescription: Source "description", Shape::Text, stmt("description", P::Source),
        "What the source holds.";
    SourceTable: Source "table", Shape::Table, Part("source bookings from analytics.bookings at booked_at"),
        "A dotted relation name in the warehouse, e.g. analytics.bookings. Exclusive with `sql`.";
    SourceSql: Source "sql", Shape::Select, Part("source hosts from sql `select ...` at onboarded_at"),
        "Exactly one SELECT statement. Exclusive with `table`; joins belong here.";
    SourceTime: Source "time", Shape::Name, Part("source bookings from analytics.bookings at booked_at"),
        "The timestamp column that places a row in a period.";
    Columns: Source "columns", Shape::Columns, stmt("columns", P::Source),
        "The relation's columns: a list of names, or a map of name to SQL type. When given, fragments may only name these columns.";
    Dimensions: Source "dimensions", Shape::NamedSql, stmt("dimension", P::Source),
        "Dimensions for breakdowns (`--by`): name to SQL expression over the source's columns.";

    MetricName: Metric "name", Shape::Name, Part("input confirmed_bookings { ... }"),
        "The metric's name: snake_case, unique in its product.";
    Label: Metric "label", Shape::Text, stmt("label", P::Metric),
        "A human-readable name.";
    MetricDescription: Metric "description", Shape::Text, stmt("description", P::Metric),
        "What the metric measures and why it matters.";
    Owner: Metric "owner", Shape::Name, stmt("owner", P::Metric),
        "The key of the owner accountable for the metric (declared under `owners`).";
    Type: Metric "type", Shape::Choice(MetricType::NAMES), stmt("type", P::Metric),
        "The kind of value the metric measures. Vanity types are always rejected.";
    Grain: Metric "grain", Shape::Choice(Grain::NAMES), stmt("grain", P::Metric),
        "The period the metric is reported at (default week; weeks start on Monday).";
    MetricWindow: Metric "window", Shape::Days, Part("window 7 days"),
        "A trailing window in days ending at each period, e.g. \"7 days\" (also accepted on the measure).";
    Measure: Metric "measure", Shape::Map(P::Measure), stmt("measure", P::Metric),
        "Compute the metric by aggregating one source.";
    Ratio: Metric "ratio", Shape::Map(P::Ratio), Part("numerator ... / denominator ... lines"),
        "Compute the metric as numerator / denominator (NULL when the denominator is zero).";
    Derived: Metric "derived", Shape::Sql, stmt("derived", P::Metric),
        "Compute the metric as an arithmetic expression over other metrics of the product, e.g. nights_booked / confirmed_bookings.";
    Compare: Metric "compare", Shape::Map(P::Compare), stmt("compare", P::Metric),
        "Compute the metric from another metric of the product some periods earlier (period over period).";
    Conversion: Metric "conversion", Shape::Map(P::Conversion), stmt("conversion", P::Metric),
        "Compute the metric as the share of entities with a base row in the period that have an event row soon after.";
    Threshold: Metric "threshold", Shape::Map(P::Threshold), stmt("threshold", P::Metric),
        "For guardrails: the bounds a period's value must stay within.";
    Targets: Metric "targets", Shape::List(P::Target), stmt("target", P::Metric),
        "For the North Star: dated values, the key results set against it.";
    Review: Metric "review", Shape::Map(P::Review), stmt("review", P::Metric),
        "For the North Star: how often it is re-examined, and when it last was.";
    Allow: Metric "allow", Shape::List(P::Allow), stmt("allow", P::Metric),
        "Rules this metric is exempt from, each with a reason.";

    MeasureSource: Measure "source", Shape::Name, Part("measure sum(nights) from bookings"),
        "The name of the source to aggregate.";
    MeasureAgg: Measure "agg", Shape::Choice(Agg::NAMES), Part("measure sum(nights) from bookings"),
        "The aggregation.";
    MeasureExpr: Measure "expr", Shape::Sql, Part("measure sum(nights) from bookings"),
        "The SQL expression aggregated (not for `count`, which counts rows).";
    MeasureP: Measure "p", Shape::Fraction, Part("measure percentile(minutes, 0.95) from tasks"),
        "For `agg: percentile`: the fraction, between 0 and 1.";
    Filter: Measure "filter", Shape::Sql, Part("measure count() from bookings where status = 'confirmed'"),
        "A boolean SQL expression: only rows where it holds are aggregated.";
    Having: Measure "having", Shape::Sql, Part("measure count_distinct(workspace_id) from events having count(distinct user_id) >= 3"),
        "A per-entity condition with aggregates, e.g. count(distinct user_id) >= 3.";
    Window: Measure "window", Shape::Days, stmt("window", P::Metric),
        "A trailing window in days ending at each period, e.g. \"7 days\".";
    ToDate: Measure "to_date", Shape::Choice(&["week", "month", "quarter", "year"]), stmt("to_date", P::Metric),
        "Aggregate from the start of the week, month, quarter or year holding each period's last day to that day (month to date).";
    Cumulative: Measure "cumulative", Shape::Flag, stmt("cumulative", P::Metric),
        "Aggregate every row from the beginning of the data to each period's last day (a `count_distinct` counts each entity once).";

    Numerator: Ratio "numerator", Shape::Operand, stmt("numerator", P::Metric),
        "A measure, or the name of another metric of the product.";
    Denominator: Ratio "denominator", Shape::Operand, stmt("denominator", P::Metric),
        "A measure, or the name of another metric of the product.";

    CompareMetric: Compare "metric", Shape::Name, Part("compare nights_booked offset 1 as growth"),
        "The metric of the product compared with itself, earlier.";
    Offset: Compare "offset", Shape::Number, Part("compare nights_booked offset 1 as growth"),
        "How many periods earlier, at the compared metric's grain (52 on a weekly metric: the same week a year earlier). Default 1.";
    CompareAs: Compare "as", Shape::Choice(CompareAs::NAMES), Part("compare nights_booked offset 1 as growth"),
        "`value`: the earlier value; `change`: now minus then; `growth`: (now - then) / then, NULL when then is 0 or NULL. Default `value`.";

    Entity: Conversion "entity", Shape::Sql, Part("conversion guest_id within 7 days as rate"),
        "The column (or expression) that names an entity in both sources.";
    Base: Conversion "base", Shape::Map(P::ConversionSide), stmt("base", P::Metric),
        "The rows that put an entity in a period.";
    Event: Conversion "event", Shape::Map(P::ConversionSide), stmt("event", P::Metric),
        "The rows that convert an entity.";
    Within: Conversion "within", Shape::Days, Part("conversion guest_id within 7 days as rate"),
        "How long after a base row an event row converts the entity, in days.";
    ConversionAs: Conversion "as", Shape::Choice(ConversionAs::NAMES), Part("conversion guest_id within 7 days as rate"),
        "`rate`: converted entities / entities (NULL when there are none); `count`: converted entities. Default `rate`.";

    SideSource: ConversionSide "source", Shape::Name, Part("base from searches"),
        "The name of the source.";
    SideFilter: ConversionSide "filter", Shape::Sql, Part("event from bookings where status = 'confirmed'"),
        "A boolean SQL expression: only rows where it holds count.";

    Min: Threshold "min", Shape::Number, Part("threshold >= 4.5"),
        "The guardrail is breached when a period's value falls below this.";
    Max: Threshold "max", Shape::Number, Part("threshold <= 0.02"),
        "The guardrail is breached when a period's value rises above this.";

    TargetBy: Target "by", Shape::Date, Part("target 120000 by 2026-12-31"),
        "The date the target is due (YYYY-MM-DD).";
    TargetValue: Target "value", Shape::Number, Part("target 120000 by 2026-12-31"),
        "The value to reach by then.";

    Cadence: Review "cadence", Shape::Choice(Cadence::NAMES), Part("review quarterly last 2026-10-01"),
        "How often the metric must be reviewed.";
    LastReviewed: Review "last_reviewed", Shape::Date, Part("review quarterly last 2026-10-01"),
        "The date of the last review (YYYY-MM-DD).";

    AllowCode: Allow "code", Shape::Code, Part(r#"allow LS103 "reason""#),
        "A rule code or name, e.g. LS105.";
    AllowReason: Allow "reason", Shape::Text, Part(r#"allow LS103 "reason""#),
        "Why the rule does not apply here.";
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Help text for an unknown key: a suggestion when one is close, else the list of keys.
pub fn unknown_key_help(word: &str, candidates: &[&str]) -> String {
    match did_you_mean(word, candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}

/// `docs/language.md`: every key of every place, generated from this catalogue.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# The spec language: every key\n\n\
         <!-- Generated from src/syntax/keys.rs; do not edit. Regenerate with\n     \
         UPDATE_DOCS=1 cargo test --no-default-features language_doc -->\n\n\
         Each section is one kind of map of a YAML spec, with its keys in canonical order (the \
         order `lodestar fmt` writes them). The DSL column says how a `.lode` file writes the \
         key: a statement of its own, or part of another statement (see the README's language \
         reference). The JSON Schema (`lodestar schema`) is generated from the same table.\n",
    );
    for place in Place::ALL {
        out.push_str(&format!("\n## {}\n\n{}\n", place.name(), place.doc()));
        let required = place.required();
        if !required.is_empty() {
            let names: Vec<&str> = required.iter().map(|k| k.name()).collect();
            out.push_str(&format!("\nRequired: {}.\n", backticked(&names)));
        }
        let one_of = place.one_of();
        if !one_of.is_empty() {
            let names: Vec<&str> = one_of.iter().map(|k| k.name()).collect();
            out.push_str(&format!("\nExactly one of: {}.\n", backticked(&names)));
        }
        if let Some(k) = place.shorthand() {
            let example = match k {
                Key::OwnerName => "`growth: Growth team`",
                _ => "`- LS103`",
            };
            out.push_str(&format!(
                "\nA lone value stands for `{}`, as in {example}.\n",
                k.name()
            ));
        }
        out.push_str("\n| key | value | DSL | meaning |\n|---|---|---|---|\n");
        for k in place.keys() {
            let dsl = match k.dsl() {
                Dsl::Statement { word, .. } => format!("`{word}`"),
                Dsl::Part(example) => format!("in `` {example} ``"),
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                k.name(),
                k.shape().describe(),
                dsl,
                k.doc().replace('|', "\\|")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_in_each_place() {
        for place in Place::ALL {
            let mut seen = HashSet::new();
            for k in place.keys() {
                assert!(seen.insert(k.name()), "`{}` twice in {place:?}", k.name());
                assert!(!k.doc().is_empty(), "{k:?} has no doc");
            }
        }
    }

    #[test]
    fn every_place_is_reachable_and_its_required_keys_are_its_own() {
        for place in Place::ALL {
            for k in place.required().iter().chain(place.one_of()) {
                assert_eq!(k.place(), *place, "{k:?}");
            }
            if *place == Place::File {
                continue;
            }
            let reached = Key::ALL.iter().any(|k| {
                matches!(k.shape(), Shape::Map(p) | Shape::List(p) | Shape::One(p) | Shape::Named(p) if p == *place)
                    || (k.shape() == Shape::Operand && *place == Place::Measure)
            });
            assert!(reached, "no key holds a {place:?}");
        }
    }

    #[test]
    fn statements_name_one_key_per_block() {
        for place in Place::ALL {
            for word in place.dsl_statements() {
                let keys: Vec<Key> = Key::ALL
                    .iter()
                    .copied()
                    .filter(|k| {
                        k.dsl()
                            == Dsl::Statement {
                                word,
                                block: *place,
                            }
                    })
                    .collect();
                assert_eq!(keys.len(), 1, "`{word}` in {place:?}: {keys:?}");
            }
        }
    }

    /// `docs/language.md` is generated from the catalogue; regenerate with
    /// `UPDATE_DOCS=1 cargo test --no-default-features language_doc`.
    #[test]
    fn language_doc_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md");
        let want = reference_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).expect("write docs/language.md");
            return;
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/language.md is stale: regenerate it with \
             `UPDATE_DOCS=1 cargo test --no-default-features language_doc` and commit it"
        );
    }
}
