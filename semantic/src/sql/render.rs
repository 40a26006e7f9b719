use jiuye_sql_value::{SqlValue, Statement};

use super::ast::{AggFunc, Expr, Select, TableRef, WriteStatement};
use super::dialect::Dialect;

struct Renderer<'d> {
    dialect: &'d dyn Dialect,
    sql: String,
    params: Vec<SqlValue>,
}

pub fn render_select(select: &Select, dialect: &dyn Dialect) -> Statement {
    let mut r = Renderer {
        dialect,
        sql: String::new(),
        params: Vec::new(),
    };
    r.select(select);
    Statement {
        sql: r.sql,
        params: r.params,
    }
}

pub fn render_write(statement: &WriteStatement, dialect: &dyn Dialect) -> Statement {
    let mut r = Renderer {
        dialect,
        sql: String::new(),
        params: Vec::new(),
    };
    match statement {
        WriteStatement::InsertSelect { table, columns, select } => {
            r.sql.push_str(&format!("INSERT INTO {table} ({})\n", columns.join(", ")));
            r.select(select);
        }
        WriteStatement::Delete { table, filter } => {
            r.sql.push_str(&format!("DELETE FROM {table}"));
            r.filter(filter);
        }
        WriteStatement::Update { table, set, filter } => {
            r.sql.push_str(&format!("UPDATE {table} SET "));
            for (i, (column, value)) in set.iter().enumerate() {
                if i > 0 {
                    r.sql.push_str(", ");
                }
                r.sql.push_str(&format!("{column} = "));
                r.expr(value);
            }
            r.filter(filter);
        }
    }
    Statement {
        sql: r.sql,
        params: r.params,
    }
}

impl Renderer<'_> {
    fn bind(&mut self, value: &SqlValue) {
        self.params.push(value.clone());
        let placeholder = self.dialect.placeholder(self.params.len());
        self.sql.push_str(&placeholder);
    }

    fn list(&mut self, items: &[Expr], sep: &str) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(sep);
            }
            self.expr(e);
        }
    }

    fn filter(&mut self, filter: &[Expr]) {
        if !filter.is_empty() {
            self.sql.push_str("\nWHERE ");
            self.list(filter, "\n  AND ");
        }
    }

    fn select(&mut self, s: &Select) {
        self.sql.push_str(if s.distinct { "SELECT DISTINCT " } else { "SELECT " });
        for (i, (e, alias)) in s.columns.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(",\n       ");
            }
            self.expr(e);
            self.sql.push_str(&format!(" AS {alias}"));
        }
        self.sql.push_str("\nFROM ");
        self.table(&s.from);
        for j in &s.joins {
            self.sql.push_str(if j.left { "\nLEFT JOIN " } else { "\nJOIN " });
            self.table(&j.table);
            self.sql.push_str(" ON ");
            self.expr(&j.on);
        }
        self.filter(&s.filter);
        if !s.group_by.is_empty() {
            self.sql.push_str("\nGROUP BY ");
            self.list(&s.group_by, ", ");
        }
        if !s.order_by.is_empty() {
            self.sql.push_str("\nORDER BY ");
            let direction = if s.descending { " DESC, " } else { ", " };
            self.list(&s.order_by, direction);
            if s.descending {
                self.sql.push_str(" DESC");
            }
        }
        if let Some(limit) = s.limit {
            self.sql.push_str("\nLIMIT ");
            self.bind(&SqlValue::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
    }

    /// `name alias`, or for an as-of read the versions known at the stamp: those still
    /// current, and those superseded after it.
    fn table(&mut self, t: &TableRef) {
        if let Some(select) = &t.derived {
            self.sql.push('(');
            self.select(select);
            self.sql.push_str(&format!(") {}", t.alias));
            return;
        }
        let Some(known) = &t.as_known else {
            self.sql.push_str(&format!("{} {}", t.name, t.alias));
            return;
        };
        let columns = known.columns.join(", ");
        let stamp = SqlValue::Text(known.stamp.clone());
        self.sql.push_str(&format!("(SELECT {columns} FROM {} WHERE known_at <= ", t.name));
        self.bind(&stamp);
        self.sql.push_str(&format!(
            "\n      UNION ALL SELECT {columns} FROM {} WHERE known_at <= ",
            known.superseded_table
        ));
        self.bind(&stamp);
        self.sql.push_str(" AND superseded_at > ");
        self.bind(&stamp);
        self.sql.push_str(&format!(") {}", t.alias));
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Column { table, name } => self.sql.push_str(&format!("{table}.{name}")),
            Expr::Literal(v) => self.sql.push_str(&v.to_string()),
            Expr::Param(v) => self.bind(v),
            // An empty list matches nothing; PostgreSQL rejects `IN ()`.
            Expr::InList { values, .. } if values.is_empty() => self.sql.push_str("1 = 0"),
            Expr::InList { expr, values } => {
                self.expr(expr);
                self.sql.push_str(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(", ");
                    }
                    self.bind(v);
                }
                self.sql.push(')');
            }
            Expr::InSelect { expr, select } => {
                self.expr(expr);
                self.sql.push_str(" IN (");
                self.select(select);
                self.sql.push(')');
            }
            Expr::Between { expr, low, high } => {
                self.expr(expr);
                self.sql.push_str(" BETWEEN ");
                self.bind(low);
                self.sql.push_str(" AND ");
                self.bind(high);
            }
            Expr::Eq(l, r) => {
                self.expr(l);
                self.sql.push_str(" = ");
                self.expr(r);
            }
            Expr::IsNotNull(e) => {
                self.expr(e);
                self.sql.push_str(" IS NOT NULL");
            }
            Expr::IsNull(e) => {
                self.expr(e);
                self.sql.push_str(" IS NULL");
            }
            Expr::AtLeast(l, r) => {
                self.expr(l);
                self.sql.push_str(" >= ");
                self.expr(r);
            }
            Expr::Below(l, r) => {
                self.expr(l);
                self.sql.push_str(" < ");
                self.expr(r);
            }
            Expr::Above(l, r) => {
                self.expr(l);
                self.sql.push_str(" > ");
                self.expr(r);
            }
            Expr::And(items) => {
                self.sql.push('(');
                self.list(items, " AND ");
                self.sql.push(')');
            }
            Expr::Or(items) => {
                self.sql.push('(');
                self.list(items, " OR ");
                self.sql.push(')');
            }
            Expr::CaseWhen { condition, then } => {
                self.sql.push_str("CASE WHEN ");
                self.expr(condition);
                self.sql.push_str(" THEN ");
                self.expr(then);
                self.sql.push_str(" END");
            }
            Expr::Aggregate { func, arg } => {
                let (name, distinct) = match func {
                    AggFunc::Count => ("COUNT", false),
                    AggFunc::CountDistinct => ("COUNT", true),
                    AggFunc::Sum => ("SUM", false),
                    AggFunc::Min => ("MIN", false),
                    AggFunc::Max => ("MAX", false),
                };
                self.sql.push_str(name);
                self.sql.push('(');
                if distinct {
                    self.sql.push_str("DISTINCT ");
                }
                match arg {
                    Some(a) => self.expr(a),
                    None => self.sql.push('*'),
                }
                self.sql.push(')');
            }
            Expr::Cast { expr, to } => {
                self.sql.push_str("CAST(");
                self.expr(expr);
                self.sql.push_str(&format!(" AS {})", self.dialect.type_name(*to)));
            }
            Expr::RecordKey(inner) => {
                let (before, after) = self.dialect.record_key();
                self.sql.push_str(before);
                self.expr(inner);
                self.sql.push_str(after);
            }
        }
    }
}
