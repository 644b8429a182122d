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
    generate::write_file(&opts, &args.output, args.force)?;
    eprintln!(
        "ties: wrote {} entities, {} relations and {} sources to {}",
        opts.entities,
        generate::relation_count(&opts),
        generate::source_count(&opts),
        args.output.display()
    );
    Ok(())
}
