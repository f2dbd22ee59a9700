//! One lint of `kvet check`'s inputs: grouped by configuration, linted
//! group by group through the caches, kustomization roots rendered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kvet::config::{Config, ConfigFinder, load_config};
use kvet::diagnostic::{Diagnostic, Summary};
use kvet::lint::{LintOutput, lint_with_progress};
use kvet::rules::Registry;
use kvet::source::SourceFile;

use super::progress::Progress;
use super::{CheckArgs, validate_cli_selectors, validate_selectors};

/// The configuration file for each source: `--config`, or the nearest
/// `.kvet.yaml` above it (looked up once per folder).
fn config_paths(args: &CheckArgs, sources: &[SourceFile]) -> Vec<Option<PathBuf>> {
    if args.no_config {
        return vec![None; sources.len()];
    }
    if let Some(c) = &args.config {
        return vec![Some(c.clone()); sources.len()];
    }
    let mut finder = ConfigFinder::default();
    sources
        .iter()
        .map(|s| {
            let p = s.path.clone().unwrap_or_else(|| PathBuf::from(&s.name));
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf();
            finder.find(&dir)
        })
        .collect()
}

/// The configuration file, with the command line's overrides applied.
pub(super) fn effective_config(path: Option<&Path>, args: &CheckArgs) -> Result<Config, String> {
    let mut config = match path {
        Some(p) => load_config(p).map_err(|errs| {
            let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
            format!("invalid configuration:\n{}", lines.join("\n"))
        })?,
        None => Config::default(),
    };
    if !args.select.is_empty() {
        config.select = args.select.clone();
    }
    config.ignore.extend(args.ignore.iter().cloned());
    config.extend_select.extend(args.extend_select.iter().cloned());
    if let Some(v) = &args.kubernetes_version {
        config.kubernetes_version = Some(v.clone());
    }
    if let Some(v) = &args.target_version {
        config.target_version = Some(v.clone());
    }
    config.crds.extend(args.crd.iter().cloned());
    kvet::schema::check::Versions::check_config(&config)?;
    Ok(config)
}

/// Moves file ids of a group's findings to their place in the whole run.
fn shift(d: &mut Diagnostic, by: u32) {
    d.file += by;
    for l in &mut d.labels {
        l.file += by;
    }
    if let Some(f) = &mut d.fix {
        for e in &mut f.edits {
            e.file += by;
        }
    }
}

/// Groups the sources by configuration (usually one group for the whole
/// run): the sources in group order, and the groups. Checks `--select`,
/// `--ignore` and each configuration's `select` against its rules.
pub(super) fn make_plan(args: &CheckArgs, sources: Vec<SourceFile>) -> Result<(Vec<SourceFile>, Vec<Group>), String> {
    let configs = config_paths(args, &sources);
    let mut groups: BTreeMap<Option<PathBuf>, Vec<usize>> = BTreeMap::new();
    for (i, c) in configs.into_iter().enumerate() {
        groups.entry(c).or_default().push(i);
    }
    if groups.is_empty() {
        groups.insert(args.config.clone(), Vec::new());
    }
    let mut slots: Vec<Option<SourceFile>> = sources.into_iter().map(Some).collect();
    let mut sources: Vec<SourceFile> = Vec::with_capacity(slots.len());
    let mut plan: Vec<Group> = Vec::new();
    for (path, members) in &groups {
        let config = effective_config(path.as_deref(), args)?;
        let registry = (!config.custom_rules.is_empty()).then(|| Registry::with_custom(&config.custom_rules));
        // Selectors name rules: the rules' docs are parsed only when there
        // are some to check.
        let selectors = [&args.select, &args.extend_select, &args.ignore, &config.select];
        if selectors.iter().any(|s| !s.is_empty()) {
            let known = registry.as_ref().unwrap_or_else(|| Registry::builtin());
            validate_cli_selectors(args, known)?;
            validate_selectors(&config.select, "select", known)?;
        }
        let start = sources.len();
        sources.extend(members.iter().filter_map(|&i| slots[i].take()));
        plan.push(Group {
            range: start..sources.len(),
            config,
            registry,
        });
    }
    Ok((sources, plan))
}

/// Kustomization roots: rendered and linted as the cluster sees them.
/// Rendered again after fixes, from the fixed texts (a fix may edit the
/// origin of a rendered value).
pub(super) struct Renderer<'p> {
    plan: &'p [Group],
    rendering: bool,
}

impl<'p> Renderer<'p> {
    pub(super) fn new(args: &CheckArgs, plan: &'p [Group]) -> Self {
        let rendering = !(args.no_render || plan.iter().any(|g| g.config.render == Some(false)));
        Renderer { plan, rendering }
    }

    /// Renders the roots among `sources`; `originals` are the texts before
    /// fixes (a changed text is an overlay over the file on disk).
    pub(super) fn render(
        &self,
        sources: &mut Vec<SourceFile>,
        originals: &[String],
    ) -> kvet::render::roots::RenderedRoots {
        if !self.rendering {
            return kvet::render::roots::RenderedRoots::default();
        }
        let plan = self.plan;
        let config_of = |i: usize| {
            let g = plan.iter().find(|g| g.range.contains(&i)).unwrap_or(&plan[0]);
            (&g.config, g.registry.as_ref())
        };
        let overlay: std::collections::HashMap<PathBuf, String> = sources
            .iter()
            .zip(originals)
            .filter(|(s, o)| s.text != **o)
            .filter_map(|(s, _)| {
                let p = s.path.as_deref()?;
                Some((p.canonicalize().unwrap_or_else(|_| p.to_path_buf()), s.text.clone()))
            })
            .collect();
        let opts = kvet::render::roots::RenderOptions {
            overlay: (!overlay.is_empty()).then(|| std::sync::Arc::new(overlay)),
            only: None,
        };
        kvet::render::roots::render_roots(sources, &config_of, &opts)
    }

    pub(super) fn is_on(&self) -> bool {
        self.rendering
    }
}

/// What [`lint_with_caches`] found: the findings, the warnings to show,
/// and, when the result cache is on, where this run is (or was) stored.
pub(super) struct Linted {
    pub output: LintOutput,
    pub warnings: Vec<String>,
    /// The result cache's folder and this run's key in it.
    pub cached: Option<(std::path::PathBuf, super::cache::Key)>,
    /// A replay's report, kept as the stored run printed it (`output` is
    /// then empty): printed instead of rendering the findings again.
    pub report: Option<super::cache::StoredReport>,
}

/// Lints the plan, through the caches: the result cache replays an
/// unchanged run (not when kvet edits files: fixes need the whole run),
/// the cache of unchanged files serves the rest; then renders the
/// kustomization roots. A replay of a run whose report `report_variant`
/// was kept returns that report instead of the findings.
pub(super) fn lint_with_caches(
    args: &CheckArgs,
    plan: &[Group],
    sources: &mut Vec<SourceFile>,
    progress: &Progress,
    renderer: &Renderer<'_>,
    edits_files: bool,
    report_variant: Option<u8>,
) -> Linted {
    // The result cache: an unchanged run replays its findings (not when
    // kvet edits files: fixes need the whole run).
    let cache_dir = if edits_files {
        None
    } else {
        super::cache::folder(args.no_cache, args.cache_dir.as_deref())
    };
    let digests: Vec<kvet::filecache::TextDigest> = if cache_dir.is_some() {
        use rayon::prelude::*;
        sources
            .par_iter()
            .map(|s| kvet::filecache::TextDigest::of(&s.text))
            .collect()
    } else {
        Vec::new()
    };
    if let Some(dir) = &cache_dir {
        // Each input's stamp with its digest, for the next run's
        // `replay_unread`.
        let fresh = sources
            .iter()
            .zip(&digests)
            .filter_map(|(s, d)| Some((s.path.clone()?, s.stamp?, *d)))
            .collect();
        super::cache::stamps(dir).update(fresh);
    }
    let cached = cache_dir.map(|dir| {
        let configs: Vec<_> = plan.iter().map(|g| (&g.config, g.range.clone())).collect();
        let key = super::cache::key(sources, &digests, &configs);
        (dir, key)
    });
    let replay = cached
        .as_ref()
        .and_then(|(dir, key)| super::cache::load(dir, *key, report_variant));
    if replay.is_none() && cached.is_some() {
        kvet::deps::record();
    }
    match replay {
        Some(hit) => Linted {
            output: hit.output,
            warnings: hit.warnings,
            cached,
            report: hit.report,
        },
        None => {
            // The cache of unchanged files: what this run can read back
            // instead of parsing and checking again.
            let files = cached.as_ref().map(|(dir, _)| super::cache::files(dir));
            let mut output = lint_plan(plan, sources, progress, files.as_ref().map(|f| (f, &digests[..])));
            if let Some(f) = files {
                f.finish();
                kvet::timings::phase("wrote the cache of unchanged files");
            }
            if renderer.is_on() {
                progress.phase("rendering kustomizations", 0);
            }
            let rendered = renderer.render(sources, &[]);
            kvet::render::roots::apply(&mut output, &rendered);
            let warnings = kvet::schema::crd::catalog::take_warnings();
            if let Some((dir, key)) = &cached {
                super::cache::store(dir, *key, &output, &warnings, &kvet::deps::take());
                kvet::timings::phase("stored the run in the result cache");
            }
            Linted {
                output,
                warnings,
                cached,
                report: None,
            }
        }
    }
}

/// A run replayed from the result cache without reading the files that
/// still have the stamp (inode, size, times) they had when their texts
/// were last digested ([`kvet::filecache::Stamps`]): only the others are
/// read (the file just edited, say), and the result cache must hold the
/// report of the run with those texts. The unread files' sources come back
/// empty (a replayed report needs no text); the plan is made as a run
/// that reads them makes it. `None` when there are no stamps or the
/// plan cannot be made: the run then reads its files.
pub(super) fn replay_unread(args: &CheckArgs, files: &[(PathBuf, String)], report_variant: u8) -> Option<Unread> {
    use rayon::prelude::*;
    let dir = super::cache::folder(args.no_cache, args.cache_dir.as_deref())?;
    let stamps = super::cache::stamps(&dir);
    if stamps.is_empty() {
        return None;
    }
    let looked: Vec<(SourceFile, kvet::filecache::TextDigest, bool)> = files
        .par_iter()
        .map(|(path, name)| {
            let kept = std::fs::metadata(path)
                .ok()
                .and_then(|m| kvet::source::Stamp::of(&m))
                .and_then(|stamp| stamps.digest(path, &stamp));
            match kept {
                Some(d) => (
                    SourceFile::from_text(name.clone(), Some(path.clone()), String::new()),
                    d,
                    false,
                ),
                None => {
                    let s = SourceFile::read(path, name.clone());
                    let d = kvet::filecache::TextDigest::of(&s.text);
                    (s, d, true)
                }
            }
        })
        .collect();
    let read = looked.iter().filter(|(_, _, read)| *read).count();
    let fresh: Vec<_> = looked
        .iter()
        .filter(|(_, _, read)| *read)
        .filter_map(|(s, d, _)| Some((s.path.clone()?, s.stamp?, *d)))
        .collect();
    if !fresh.is_empty() {
        stamps.update(fresh);
    }
    let digest_of: kvet::hash::Map<&[u8], kvet::filecache::TextDigest> = files
        .iter()
        .zip(&looked)
        .map(|((p, _), (_, d, _))| (p.as_os_str().as_encoded_bytes(), *d))
        .collect();
    let (sources, plan) = make_plan(args, looked.into_iter().map(|(s, _, _)| s).collect()).ok()?;
    let digests: Vec<_> = sources
        .iter()
        .map(|s| {
            let path = s.path.as_deref()?;
            digest_of.get(path.as_os_str().as_encoded_bytes()).copied()
        })
        .collect::<Option<_>>()?;
    let configs: Vec<_> = plan.iter().map(|g| (&g.config, g.range.clone())).collect();
    let key = super::cache::key(&sources, &digests, &configs);
    let hit = super::cache::load(&dir, key, Some(report_variant)).filter(|h| h.report.is_some());
    Some(match hit {
        Some(hit) => Unread::Replayed {
            sources,
            plan,
            linted: Box::new(Linted {
                output: hit.output,
                warnings: hit.warnings,
                cached: Some((dir, key)),
                report: hit.report,
            }),
            read,
        },
        None => Unread::Missed { sources, plan },
    })
}

/// What [`replay_unread`] found.
pub(super) enum Unread {
    /// The run, replayed; `read` of the files were read.
    Replayed {
        sources: Vec<SourceFile>,
        plan: Vec<Group>,
        linted: Box<Linted>,
        read: usize,
    },
    /// No report kept for these texts: the plan made, and the sources in
    /// its order, some of them still empty ([`read_the_rest`]).
    Missed { sources: Vec<SourceFile>, plan: Vec<Group> },
}

/// Reads the sources a missed replay left empty (an empty file is read
/// again, which costs nothing).
pub(super) fn read_the_rest(sources: &mut [SourceFile], progress: &Progress) {
    use rayon::prelude::*;
    sources.par_iter_mut().for_each(|s| {
        if s.text.is_empty()
            && s.load_error.is_none()
            && let Some(path) = s.path.clone()
        {
            *s = SourceFile::read(&path, std::mem::take(&mut s.name));
        }
        progress.inc();
    });
}

/// A set of files linted with one configuration.
pub(super) struct Group {
    pub(super) range: std::ops::Range<usize>,
    pub(super) config: Config,
    pub(super) registry: Option<Registry>,
}

/// Lints every group and merges the results (file ids of the whole run).
pub(super) fn lint_plan(
    plan: &[Group],
    sources: &[SourceFile],
    progress: &Progress,
    files: Option<(&kvet::filecache::FileCache, &[kvet::filecache::TextDigest])>,
) -> LintOutput {
    let mut output = LintOutput::default();
    // Each input's entry in the cache of unchanged files; the previous
    // pack's entries of no input of this run are carried over first.
    let keys: Vec<kvet::filecache::Key> = match files {
        Some((cache, digests)) => {
            let mut keys = Vec::with_capacity(sources.len());
            for g in plan {
                let config = kvet::filecache::config_digest(&g.config);
                for (s, d) in sources[g.range.clone()]
                    .iter()
                    .zip(digests.get(g.range.clone()).unwrap_or(&[]))
                {
                    keys.push(kvet::filecache::Key::of(config, s, *d));
                }
            }
            cache.carry_over(&keys);
            keys
        }
        None => Vec::new(),
    };
    for (i, g) in plan.iter().enumerate() {
        let registry = g.registry.as_ref().unwrap_or_else(|| Registry::builtin());
        progress.phase("parsing files", g.range.len());
        let group = &sources[g.range.clone()];
        let mut out = match files.zip(keys.get(g.range.clone())) {
            Some(((cache, _), keys)) => {
                let reuse = kvet::lint::Reuse {
                    cache,
                    keys,
                    last: i + 1 == plan.len(),
                };
                kvet::lint::lint_reusing(group, &g.config, registry, progress, true, &reuse)
            }
            None => lint_with_progress(group, &g.config, registry, progress, true),
        };
        let by = g.range.start as u32;
        for d in out.diagnostics.iter_mut().chain(out.suppressed.iter_mut()) {
            shift(d, by);
        }
        for o in &mut out.objects {
            o.file += by;
        }
        if output.objects.is_empty() && output.diagnostics.is_empty() && output.suppressed.is_empty() {
            // The first group's lists are taken whole, not copied (a second
            // copy of every finding would be the run's peak of memory).
            add_summary(&mut out.summary, &output.summary);
            output = out;
            continue;
        }
        output.objects.append(&mut out.objects);
        output.diagnostics.append(&mut out.diagnostics);
        output.suppressed.append(&mut out.suppressed);
        add_summary(&mut output.summary, &out.summary);
    }
    output
}

fn add_summary(total: &mut Summary, part: &Summary) {
    total.files += part.files;
    total.objects += part.objects;
    total.errors += part.errors;
    total.warnings += part.warnings;
    total.infos += part.infos;
    total.suppressed += part.suppressed;
}

/// `--explain-schemas`: where the schema of each kind of the run came from
/// (on stderr, so that machine-readable reports stay intact).
pub(super) fn explain_schemas(plan: &[Group], sources: &[SourceFile]) {
    let mut lines = Vec::new();
    for g in plan {
        for s in kvet::schema::crd::catalog::explain_schemas(&sources[g.range.clone()], &g.config) {
            let n = if s.objects == 1 { "object" } else { "objects" };
            lines.push(format!(
                "  {} {} ({} {n}): {}",
                s.api_version, s.kind, s.objects, s.source
            ));
        }
    }
    lines.sort();
    lines.dedup();
    eprintln!("kvet: schemas used:");
    for l in lines {
        eprintln!("{l}");
    }
}
