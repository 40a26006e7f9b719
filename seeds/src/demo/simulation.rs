//! Day-by-day simulation of 招工/退工: a person pool, each person employed by at most one
//! employer at a time, daily volumes following the seasonality of `calendar`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::calendar::{Flow, add_days, day_weight, days_of_year, is_graduate_season};
use super::corrections::Reservoir;
use super::defects::{empty_defect_counts, inject_defect};
use super::districts::{district_weights, pick_other_district, retired_code_of};
use super::employers::Employer;
use super::formats::{export_date_text, export_timestamp_text, office_time_on};
use super::job_terms::{EMPLOYMENT_FORM_MIX, SWITCH_REASON_MIX, monthly_wage, separation_reason};
use super::people::Person;
use super::random::{CumulativeWeights, IndexPool, chance, pick_weighted, stochastic_round};
use super::rows::{EventKind, RegistrationRow};

/// Share of the pool already employed when the simulation starts.
const INITIAL_EMPLOYED_SHARE: f64 = 0.55;
/// Share of hires (on day 1–18 of a month) that quit within days and are hired again in
/// another district before the month ends.
pub(crate) const SAME_MONTH_SWITCH_SHARE: f64 = 0.005;
/// Share of rows registered in the employer's own district.
pub(crate) const OWN_DISTRICT_SHARE: f64 = 0.92;
/// Share of rows written with the retired code of a merged district (when there is one).
pub(crate) const LEGACY_DISTRICT_SHARE: f64 = 0.003;
/// Share of rows that give 出生日期.
pub(crate) const BIRTH_DATE_GIVEN_SHARE: f64 = 0.90;

/// Days between 办理日期 and 更新时间 (0–3).
const UPDATE_DELAY_MIX: [(u64, f64); 4] = [(0, 70.0), (1, 15.0), (2, 9.0), (3, 6.0)];

struct Job {
    employer: usize,
    hired_on: NaiveDate,
    wage: Option<u32>,
    form: &'static str,
}

struct PersonState {
    job: Option<Job>,
    available_from: NaiveDate,
    retired: bool,
}

enum ScheduledEvent {
    Separate { person: usize },
    Rehire { person: usize, avoid_district: &'static str },
}

/// The state of the labour market between days.
pub(crate) struct Simulation<'a> {
    persons: &'a [Person],
    employers: &'a [Employer],
    employer_weights: CumulativeWeights,
    district_weights: CumulativeWeights,
    states: Vec<PersonState>,
    /// Employed persons that random separations may pick (not those with a scheduled switch).
    employed: IndexPool,
    /// Persons without a job who may be hired.
    idle: IndexPool,
    scheduled: BTreeMap<NaiveDate, Vec<ScheduledEvent>>,
    serial_counters: HashMap<(EventKind, String), u32>,
    annual_hires: f64,
    annual_separations: f64,
    year_weight_totals: HashMap<i32, (f64, f64)>,
    /// Rows spoiled so far, by defect kind.
    pub defects: BTreeMap<&'static str, usize>,
    /// Clean rows that the corrections file may re-send.
    pub correction_candidates: Reservoir<RegistrationRow>,
}

impl<'a> Simulation<'a> {
    pub(crate) fn new(
        rng: &mut StdRng,
        persons: &'a [Person],
        employers: &'a [Employer],
        annual_hires: f64,
        start: NaiveDate,
        correction_pool_size: usize,
    ) -> Self {
        let employer_weights = CumulativeWeights::new(employers.iter().map(Employer::activity_weight));
        let mut simulation = Simulation {
            persons,
            employers,
            employer_weights,
            district_weights: district_weights(),
            states: Vec::with_capacity(persons.len()),
            employed: IndexPool::with_capacity(persons.len()),
            idle: IndexPool::with_capacity(persons.len()),
            scheduled: BTreeMap::new(),
            serial_counters: HashMap::new(),
            annual_hires,
            annual_separations: annual_hires * 0.93,
            year_weight_totals: HashMap::new(),
            defects: empty_defect_counts(),
            correction_candidates: Reservoir::new(correction_pool_size),
        };
        for (index, person) in persons.iter().enumerate() {
            let employed = chance(rng, INITIAL_EMPLOYED_SHARE) && person.age_on(start) <= 62;
            let job = if employed {
                simulation.pick_employer(rng, None).map(|employer| {
                    let form = pick_weighted(rng, &EMPLOYMENT_FORM_MIX, "1");
                    Job {
                        employer,
                        hired_on: start
                            .checked_sub_days(chrono::Days::new(rng.random_range(30..3000)))
                            .unwrap_or(start),
                        wage: monthly_wage(rng, person, &employers[employer], form, start),
                        form,
                    }
                })
            } else {
                None
            };
            if job.is_some() {
                simulation.employed.insert(index);
            } else {
                simulation.idle.insert(index);
            }
            simulation.states.push(PersonState {
                job,
                available_from: start,
                retired: false,
            });
        }
        simulation
    }

    /// All rows of one month, in business-date order.
    pub(crate) fn simulate_month(&mut self, rng: &mut StdRng, year: i32, month: u32) -> Vec<RegistrationRow> {
        let mut rows = Vec::new();
        let mut day = NaiveDate::from_ymd_opt(year, month, 1);
        while let Some(date) = day {
            if date.month() != month {
                break;
            }
            self.simulate_day(rng, date, &mut rows);
            day = date.succ_opt();
        }
        rows
    }

    fn weight_totals(&mut self, year: i32) -> (f64, f64) {
        *self.year_weight_totals.entry(year).or_insert_with(|| {
            days_of_year(year).into_iter().fold((0.0, 0.0), |(hires, separations), date| {
                (
                    hires + day_weight(date, Flow::Hire),
                    separations + day_weight(date, Flow::Separation),
                )
            })
        })
    }

    fn simulate_day(&mut self, rng: &mut StdRng, date: NaiveDate, rows: &mut Vec<RegistrationRow>) {
        self.serial_counters.clear();
        for event in self.scheduled.remove(&date).unwrap_or_default() {
            match event {
                ScheduledEvent::Separate { person } => self.separate(rng, person, date, true, rows),
                ScheduledEvent::Rehire { person, avoid_district } => self.hire(rng, person, date, Some(avoid_district), rows),
            }
        }
        let (hire_total, separation_total) = self.weight_totals(date.year());
        // Keep some people looking for work: separate a little more when few are idle.
        let idle_pressure = if self.idle.len() < self.persons.len() / 8 { 1.15 } else { 1.0 };
        let separations = stochastic_round(
            rng,
            self.annual_separations * idle_pressure * day_weight(date, Flow::Separation) / separation_total.max(1e-9),
        );
        for _ in 0..separations {
            if let Some(person) = self.pick_separation_candidate(rng, date) {
                self.separate(rng, person, date, false, rows);
            }
        }
        let hires = stochastic_round(rng, self.annual_hires * day_weight(date, Flow::Hire) / hire_total.max(1e-9));
        for _ in 0..hires {
            if let Some(person) = self.pick_hire_candidate(rng, date) {
                self.hire(rng, person, date, None, rows);
            }
        }
    }

    fn pick_employer(&self, rng: &mut StdRng, avoid_district: Option<&str>) -> Option<usize> {
        for _ in 0..32 {
            let index = self.employer_weights.pick(rng)?;
            match avoid_district {
                Some(avoid) if self.employers[index].district == avoid => continue,
                _ => return Some(index),
            }
        }
        None
    }

    fn pick_separation_candidate(&self, rng: &mut StdRng, date: NaiveDate) -> Option<usize> {
        for _ in 0..8 {
            let person = self.employed.pick(rng)?;
            if self.states[person].job.as_ref().is_some_and(|job| job.hired_on < date) {
                return Some(person);
            }
        }
        None
    }

    /// An idle person who may work on `date`; in June–July graduates are preferred.
    fn pick_hire_candidate(&self, rng: &mut StdRng, date: NaiveDate) -> Option<usize> {
        let want_graduate = is_graduate_season(date) && chance(rng, 0.35);
        let mut fallback = None;
        for _ in 0..16 {
            let person = self.idle.pick(rng)?;
            let state = &self.states[person];
            let age = self.persons[person].age_on(date);
            if state.retired || state.available_from > date || !(16..=62).contains(&age) {
                continue;
            }
            let graduate = age <= 25 && matches!(self.persons[person].education, "10" | "20" | "30");
            if want_graduate && !graduate {
                fallback = fallback.or(Some(person));
                continue;
            }
            return Some(person);
        }
        fallback
    }

    /// The 经办区县 of a row: mostly the employer's district.
    fn registration_district(&self, rng: &mut StdRng, employer_district: &'static str, forced: bool) -> String {
        if forced {
            return employer_district.to_string();
        }
        let draw = rng.random::<f64>();
        if draw < LEGACY_DISTRICT_SHARE
            && let Some((retired, _)) = retired_code_of(employer_district)
        {
            return retired.to_string();
        }
        if draw < OWN_DISTRICT_SHARE {
            employer_district.to_string()
        } else {
            pick_other_district(rng, &self.district_weights, employer_district).to_string()
        }
    }

    fn hire(
        &mut self,
        rng: &mut StdRng,
        person: usize,
        date: NaiveDate,
        rehire_avoiding: Option<&'static str>,
        rows: &mut Vec<RegistrationRow>,
    ) {
        let Some(employer) = self.pick_employer(rng, rehire_avoiding) else {
            self.idle.insert(person);
            return;
        };
        let employer_district = self.employers[employer].district;
        let form = pick_weighted(rng, &EMPLOYMENT_FORM_MIX, "1");
        let wage = monthly_wage(rng, &self.persons[person], &self.employers[employer], form, date);
        let plan_switch = rehire_avoiding.is_none() && date.day() <= 18 && chance(rng, SAME_MONTH_SWITCH_SHARE);
        let district = self.registration_district(rng, employer_district, plan_switch || rehire_avoiding.is_some());
        self.emit(rng, EventKind::Hire, date, person, employer, district, form, "", wage, rows);
        self.idle.remove(person);
        self.states[person].job = Some(Job {
            employer,
            hired_on: date,
            wage,
            form,
        });
        if !(plan_switch && self.schedule_switch(rng, person, date, employer_district)) {
            self.employed.insert(person);
        }
    }

    /// Plans a quit within days and a new job in another district, both in this month.
    fn schedule_switch(&mut self, rng: &mut StdRng, person: usize, hired_on: NaiveDate, district: &'static str) -> bool {
        let quit_on = add_days(hired_on, rng.random_range(2..=5));
        let rehire_on = add_days(quit_on, rng.random_range(1..=4));
        if rehire_on.month() != hired_on.month() || rehire_on.year() != hired_on.year() {
            return false;
        }
        self.scheduled.entry(quit_on).or_default().push(ScheduledEvent::Separate { person });
        self.scheduled.entry(rehire_on).or_default().push(ScheduledEvent::Rehire {
            person,
            avoid_district: district,
        });
        true
    }

    fn separate(&mut self, rng: &mut StdRng, person: usize, date: NaiveDate, scheduled: bool, rows: &mut Vec<RegistrationRow>) {
        let Some(job) = self.states[person].job.take() else {
            return;
        };
        let reason = if scheduled {
            pick_weighted(rng, &SWITCH_REASON_MIX, "3")
        } else {
            separation_reason(rng, &self.persons[person], date)
        };
        let district = self.registration_district(rng, self.employers[job.employer].district, scheduled);
        self.emit(
            rng,
            EventKind::Separation,
            date,
            person,
            job.employer,
            district,
            job.form,
            reason,
            job.wage,
            rows,
        );
        self.employed.remove(person);
        let state = &mut self.states[person];
        if reason == "5" {
            state.retired = true;
        } else {
            state.available_from = add_days(date, rng.random_range(1..=14));
            if !scheduled {
                self.idle.insert(person);
            }
        }
    }

    /// Builds a row, maybe spoils it, records it.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        rng: &mut StdRng,
        kind: EventKind,
        date: NaiveDate,
        person_index: usize,
        employer_index: usize,
        district: String,
        form: &'static str,
        reason: &'static str,
        wage: Option<u32>,
        rows: &mut Vec<RegistrationRow>,
    ) {
        let person = &self.persons[person_index];
        let employer = &self.employers[employer_index];
        let number = {
            let counter = self.serial_counters.entry((kind, district.clone())).or_insert(0);
            *counter += 1;
            *counter
        };
        let serial = format!("{}{district}{}{number:04}", kind.serial_prefix(), date.format("%Y%m%d"));
        let delay = pick_weighted(rng, &UPDATE_DELAY_MIX, 0);
        let updated_at = office_time_on(rng, add_days(date, delay));
        let mut row = RegistrationRow {
            serial,
            kind,
            business_date: export_date_text(rng, date),
            id_number: person.id_number.clone(),
            name: person.name.clone(),
            gender: person.gender,
            birth_date: if chance(rng, BIRTH_DATE_GIVEN_SHARE) {
                export_date_text(rng, person.birth_date)
            } else {
                String::new()
            },
            hukou: person.hukou,
            education: person.education,
            employer_uscc: employer.uscc.clone(),
            employer_name: employer.name.clone(),
            employer_type: employer.employer_type,
            industry: employer.industry,
            district,
            employment_form: form,
            separation_reason: reason,
            monthly_wage: wage.map(|yuan| yuan.to_string()).unwrap_or_default(),
            updated_at,
            updated_at_text: export_timestamp_text(rng, updated_at),
            business_day: date,
        };
        match inject_defect(rng, &mut row, person.birth_date) {
            Some(defect) => *self.defects.entry(defect).or_insert(0) += 1,
            None => self.correction_candidates.offer(rng, &row),
        }
        rows.push(row);
    }
}
