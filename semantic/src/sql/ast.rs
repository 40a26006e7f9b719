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
    /// `left >= right` / `left < right`: the half-open validity intervals of stocks.
    AtLeast(Box<Expr>, Box<Expr>),
    Below(Box<Expr>, Box<Expr>),
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
}

impl Select {
    pub fn from(name: &str, alias: &str) -> Select {
        Select {
            distinct: false,
            columns: Vec::new(),
            from: TableRef {
                name: name.to_string(),
                alias: alias.to_string(),
            },
            joins: Vec::new(),
            filter: Vec::new(),
            group_by: Vec::new(),
            order_by: Vec::new(),
        }
    }
}

/// Statements that change a table: the ETL's rollup builds.
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
}
