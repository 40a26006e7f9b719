//! The ten service feeds after the registration feeds: facility registry, job postings and
//! applications, training, start-up support, unemployment-insurance payments and fund,
//! policy subsidies, internships and yearly targets. They reuse the person pool and the
//! employers; each draws from its own RNG stream (8 to 17), so the registration feeds'
//! files stay byte-identical for a seed whatever is added here.

use std::path::Path;

use super::employers::Employer;
use super::facilities::{self, CITY_INCUBATOR, INTERNSHIP_BASE, STARTUP_PARK, TRAINING_SCHOOL, open_of_kind};
use super::people::Person;
use super::targets::{self, Tally};
use super::ui_fund::{self, FundSpending};
use super::{DemoConfig, DemoFile, applications, internships, postings, startup, stream, subsidies, training, ui_benefits};
use crate::error::SeedError;

/// Facilities in the registry at scale 1.0 (at least 30, so that every type exists).
const FACILITIES_AT_SCALE_1: f64 = 400.0;
const MIN_FACILITIES: usize = 30;

/// What the service feeds are generated from.
pub(crate) struct ServiceInputs<'a> {
    pub out_dir: &'a Path,
    pub cfg: &'a DemoConfig,
    pub last_year: i32,
    pub persons: &'a [Person],
    pub employers: &'a [Employer],
}

/// Writes the service feeds; `tally` already holds the registration feeds' counts.
pub(crate) fn write_service_feeds(inputs: &ServiceInputs<'_>, tally: &mut Tally) -> Result<Vec<DemoFile>, SeedError> {
    let ServiceInputs {
        out_dir,
        cfg,
        last_year,
        persons,
        employers,
    } = *inputs;
    let (scale, seed, first_year) = (cfg.scale, cfg.seed, cfg.first_year);
    let mut files = Vec::new();

    let facility_count = ((FACILITIES_AT_SCALE_1 * scale).round() as usize).max(MIN_FACILITIES);
    let facilities = facilities::generate_facilities(&mut stream(seed, 8), facility_count, first_year, employers);
    files.push(facilities::write_facilities(out_dir, first_year, &facilities)?);

    let (posting_list, posting_rows) = postings::generate_postings(&mut stream(seed, 9), employers, scale, first_year, last_year, tally);
    files.extend(posting_rows.write(out_dir, "job_posting", &postings::POSTING_HEADERS)?);
    let application_rows = applications::generate_applications(&mut stream(seed, 10), persons, &posting_list, scale, first_year, last_year);
    files.extend(application_rows.write(out_dir, "job_application", &applications::APPLICATION_HEADERS)?);

    let schools = open_of_kind(&facilities, &[TRAINING_SCHOOL]);
    let trained = training::generate_training(&mut stream(seed, 11), persons, &schools, scale, first_year, last_year, tally);
    files.extend(trained.rows.write(out_dir, "training_enrollment", &training::TRAINING_HEADERS)?);

    let parks = open_of_kind(&facilities, &[CITY_INCUBATOR, STARTUP_PARK]);
    let support_rows = startup::generate_startup_support(
        &mut stream(seed, 12),
        persons,
        employers,
        &parks,
        scale,
        first_year,
        last_year,
        tally,
    );
    files.extend(support_rows.write(out_dir, "startup_support", &startup::STARTUP_HEADERS)?);

    let (benefit_rows, benefits_paid) = ui_benefits::generate_benefits(&mut stream(seed, 13), persons, scale, first_year, last_year);
    files.extend(benefit_rows.write(out_dir, "ui_benefit_payment", &ui_benefits::UI_BENEFIT_HEADERS)?);

    let (subsidy_rows, job_subsidies) =
        subsidies::generate_subsidies(&mut stream(seed, 14), persons, employers, scale, first_year, last_year);
    files.extend(subsidy_rows.write(out_dir, "policy_subsidy", &subsidies::SUBSIDY_HEADERS)?);

    let bases = open_of_kind(&facilities, &[INTERNSHIP_BASE]);
    let intern_rows = internships::generate_internships(&mut stream(seed, 15), persons, &bases, scale, first_year, last_year, tally);
    files.extend(intern_rows.write(out_dir, "internship", &internships::INTERNSHIP_HEADERS)?);

    let spending = FundSpending {
        benefits: &benefits_paid,
        training_subsidies: &trained.subsidy_cents,
        job_subsidies: &job_subsidies,
    };
    files.extend(ui_fund::write_fund(
        &mut stream(seed, 16),
        out_dir,
        scale,
        first_year,
        last_year,
        &spending,
    )?);
    files.extend(targets::write_targets(
        &mut stream(seed, 17),
        out_dir,
        first_year,
        last_year,
        tally,
    )?);
    Ok(files)
}
