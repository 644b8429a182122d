//! `ties gen`: a synthetic graph of any size.

use super::CliError;
use super::args::GenArgs;
use crate::generate::{self, GenOptions};

pub(super) fn gen_cmd(args: &GenArgs) -> Result<(), CliError> {
    let opts = GenOptions {
        entities: args.entities,
        relations_per_entity: args.relations_per_entity,
        seed: args.seed,
    };
    generate::write_file(&opts, &args.id_prefix, &args.output, args.force)?;
    eprintln!(
        "ties: wrote {}, {} and {} to {}",
        crate::report::count(opts.entities, "entity"),
        crate::report::count(generate::relation_count(&opts), "relation"),
        crate::report::count(generate::source_count(&opts), "source"),
        args.output.display()
    );
    Ok(())
}
