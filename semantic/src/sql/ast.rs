use jiuye_sql_value::SqlValue;

/// Types a rendered expression may be cast to; each dialect names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    BigInt,
    Double,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    Count,
    CountDistinct,
    Sum,
    Min,
    Max,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `alias.name`; both come from the model, never from a request.
    Column {
        table: String,
        name: String,
    },
    /// A constant written by the planner itself (e.g. the `1` of `CASE WHEN … THEN 1`).
    Literal(i64),
    /// A value bound as a parameter.
    Param(SqlValue),
    InList {
        expr: Box<Expr>,
        values: Vec<SqlValue>,
    },
    InSelect {
        expr: Box<Expr>,
        select: Box<Select>,
    },
    Between {
        expr: Box<Expr>,
        low: SqlValue,
        high: SqlValue,
    },
    Eq(Box<Expr>, Box<Expr>),
    IsNotNull(Box<Expr>),
    IsNull(Box<Expr>),
    /// `left >= right` / `left < right`: the half-open validity intervals of stocks.
    AtLeast(Box<Expr>, Box<Expr>),
    Below(Box<Expr>, Box<Expr>),
    /// `left > right`: where the previous page of a keyset scan ended.
    Above(Box<Expr>, Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    CaseWhen {
        condition: Box<Expr>,
        then: Box<Expr>,
    },
    /// `arg: None` means `COUNT(*)`.
    Aggregate {
        func: AggFunc,
        arg: Option<Box<Expr>>,
    },
    Cast {
        expr: Box<Expr>,
        to: SqlType,
    },
    /// The record key of a pseudonym (`person_key`, lowercase hex): its first four hex
    /// digits as a number in 0..65536, for the cell-key method (`crate::cell_key`);
    /// each dialect spells it (`Dialect::record_key`).
    RecordKey(Box<Expr>),
}

impl Expr {
    pub fn col(table: &str, name: &str) -> Expr {
        Expr::Column {
            table: table.to_string(),
            name: name.to_string(),
        }
    }

    pub fn eq(left: Expr, right: Expr) -> Expr {
        Expr::Eq(Box::new(left), Box::new(right))
    }

    pub fn in_list(expr: Expr, values: Vec<SqlValue>) -> Expr {
        Expr::InList {
            expr: Box::new(expr),
            values,
        }
    }

    pub fn cast(expr: Expr, to: SqlType) -> Expr {
        Expr::Cast { expr: Box::new(expr), to }
    }

    pub fn aggregate(func: AggFunc, arg: Option<Expr>) -> Expr {
        Expr::Aggregate {
            func,
            arg: arg.map(Box::new),
        }
    }

    /// `AND` of the conditions, or `None` when there are none.
    pub fn all(mut conditions: Vec<Expr>) -> Option<Expr> {
        match conditions.len() {
            0 => None,
            1 => conditions.pop(),
            _ => Some(Expr::And(conditions)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRef {
    pub name: String,
    pub alias: String,
    /// Read the table as the warehouse knew it at an instant (see `crate::known`).
    pub as_known: Option<AsKnown>,
    /// A derived table: this statement's rows under `alias` (`name` is then unused).
    pub derived: Option<Box<Select>>,
}

impl TableRef {
    pub fn new(name: &str, alias: &str) -> TableRef {
        TableRef {
            name: name.to_string(),
            alias: alias.to_string(),
            as_known: None,
            derived: None,
        }
    }

    pub fn derived(select: Select, alias: &str) -> TableRef {
        TableRef {
            derived: Some(Box::new(select)),
            ..TableRef::new("", alias)
        }
    }
}

/// The versions of a table known at `stamp`: its rows known by then, plus the superseded
/// versions known by then and replaced after. Only `columns` are read.
#[derive(Debug, Clone, PartialEq)]
pub struct AsKnown {
    pub stamp: String,
    pub superseded_table: String,
    pub columns: Vec<String>,
}

impl Expr {
    /// The columns of `alias` this expression reads (subqueries keep their own aliases).
    fn collect_columns(&self, alias: &str, out: &mut std::collections::BTreeSet<String>) {
        match self {
            Expr::Column { table, name } if table == alias => {
                out.insert(name.clone());
            }
            Expr::Column { .. } | Expr::Literal(_) | Expr::Param(_) | Expr::Aggregate { arg: None, .. } => {}
            Expr::InList { expr, .. }
            | Expr::InSelect { expr, .. }
            | Expr::Between { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::RecordKey(expr)
            | Expr::IsNotNull(expr)
            | Expr::IsNull(expr) => expr.collect_columns(alias, out),
            Expr::Aggregate { arg: Some(e), .. } => e.collect_columns(alias, out),
            Expr::Eq(l, r) | Expr::AtLeast(l, r) | Expr::Below(l, r) | Expr::Above(l, r) => {
                l.collect_columns(alias, out);
                r.collect_columns(alias, out);
            }
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.collect_columns(alias, out)),
            Expr::CaseWhen { condition, then } => {
                condition.collect_columns(alias, out);
                then.collect_columns(alias, out);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub table: TableRef,
    pub on: Expr,
    /// `LEFT JOIN`: keeps fact rows the joined table has no match for (a lookup).
    pub left: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub distinct: bool,
    pub columns: Vec<(Expr, String)>,
    pub from: TableRef,
    pub joins: Vec<Join>,
    pub filter: Vec<Expr>,
    pub group_by: Vec<Expr>,
    pub order_by: Vec<Expr>,
    /// Order newest first: every `order_by` expression descending.
    pub descending: bool,
    /// At most this many rows (bound as a parameter).
    pub limit: Option<u64>,
}

impl Select {
    pub fn from(name: &str, alias: &str) -> Select {
        Select {
            distinct: false,
            columns: Vec::new(),
            from: TableRef::new(name, alias),
            joins: Vec::new(),
            filter: Vec::new(),
            group_by: Vec::new(),
            order_by: Vec::new(),
            descending: false,
            limit: None,
        }
    }

    /// The columns of `alias` the statement reads, in name order.
    pub fn columns_of(&self, alias: &str) -> Vec<String> {
        let mut out = std::collections::BTreeSet::new();
        let exprs = self
            .columns
            .iter()
            .map(|(e, _)| e)
            .chain(self.joins.iter().map(|j| &j.on))
            .chain(&self.filter)
            .chain(&self.group_by)
            .chain(&self.order_by);
        for e in exprs {
            e.collect_columns(alias, &mut out);
        }
        out.into_iter().collect()
    }
}

/// Statements that change a table: the ETL's rollup builds, the audit log's head.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteStatement {
    InsertSelect {
        table: String,
        columns: Vec<String>,
        select: Select,
    },
    Delete {
        table: String,
        filter: Vec<Expr>,
    },
    /// `UPDATE table SET column = expr, … WHERE …`; expressions name the table itself.
    Update {
        table: String,
        set: Vec<(String, Expr)>,
        filter: Vec<Expr>,
    },
}
