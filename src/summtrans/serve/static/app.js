// summtrans serve's page: translate as you type, documents dropped in, results side by side.
// No build step, nothing from another site. Document text only ever goes into textContent.
"use strict";

const TEXT = {
  en: {
    tagline: "German letters and documents in English: translated sentence by sentence, summarized, with the key facts.",
    apiKey: "API key", textHeading: "Translate text", germanText: "German", englishText: "English",
    typeHere: "Type or paste German text here.", docsHeading: "Documents", task: "What should happen?",
    taskTranslate: "Translate", taskSummarize: "Translate and summarize", dropHint: "Drop files here, or",
    chooseFiles: "Choose files", formats: "Formats:", keyFacts: "Key facts", summary: "Summary",
    sentences: "Sentence by sentence", apiLink: "API for programs (LibreTranslate-compatible)",
    translating: "Translating…", detected: "Detected: {lang} ({conf} %)", queued: "waiting", running: "working",
    done: "done", failed: "failed", show: "Show", downloadDoc: "Download the translation",
    downloadSummary: "Download the summary", downloadRecord: "Record (JSON)", sender: "Sender", date: "Date",
    deadline: "Deadline", amount: "Amount", reference: "Reference", appointment: "Appointment", period: "Period",
    remedy: "Legal remedy", document: "Documents asked for", estimate: "estimated", kind: "Kind of letter",
    warnings: "Warnings", segment: "sentence", docWarning: "Whole document",
    "w-retried": "retried", "w-span-missing": "protected part missing", "w-span-duplicated": "protected part repeated",
    "w-repetition": "repetition", "w-length-ratio": "length unusual", "w-untranslated": "untranslated",
    "w-german-output": "still German", "w-number-missing": "number missing", "w-split": "translated in pieces",
    "w-term-missing": "glossary term missing", "w-invented-number": "number not in the text",
    "w-summary-length": "summary length", "w-ocr-low-confidence": "low OCR confidence",
    "w-iban-checksum": "IBAN check digits wrong", "w-page-without-text": "page not read",
    "w-pdf-text-kept": "left in German", "w-pdf-overflow": "does not fit its place", "w-pdf-not-editable": "PDF not editable",
  },
  de: {
    tagline: "Deutsche Briefe und Dokumente auf Englisch: Satz für Satz übersetzt, zusammengefasst, mit den wichtigsten Angaben.",
    apiKey: "API-Schlüssel", textHeading: "Text übersetzen", germanText: "Deutsch", englishText: "Englisch",
    typeHere: "Deutschen Text hier eintippen oder einfügen.", docsHeading: "Dokumente", task: "Was soll passieren?",
    taskTranslate: "Übersetzen", taskSummarize: "Übersetzen und zusammenfassen", dropHint: "Dateien hierher ziehen, oder",
    chooseFiles: "Dateien auswählen", formats: "Formate:", keyFacts: "Wichtige Angaben", summary: "Zusammenfassung",
    sentences: "Satz für Satz", apiLink: "Schnittstelle für Programme (LibreTranslate-kompatibel)",
    translating: "Wird übersetzt…", detected: "Erkannt: {lang} ({conf} %)", queued: "wartet", running: "in Arbeit",
    done: "fertig", failed: "fehlgeschlagen", show: "Anzeigen", downloadDoc: "Übersetzung herunterladen",
    downloadSummary: "Zusammenfassung herunterladen", downloadRecord: "Protokoll (JSON)", sender: "Absender",
    date: "Datum", deadline: "Frist", amount: "Betrag", reference: "Zeichen", appointment: "Termin", period: "Zeitraum",
    remedy: "Rechtsbehelf", document: "Verlangte Unterlagen", estimate: "geschätzt", kind: "Art des Schreibens",
    warnings: "Hinweise", segment: "Satz", docWarning: "Ganzes Dokument",
    "w-retried": "wiederholt", "w-span-missing": "geschützter Teil fehlt", "w-span-duplicated": "geschützter Teil doppelt",
    "w-repetition": "Wiederholung", "w-length-ratio": "ungewöhnliche Länge", "w-untranslated": "nicht übersetzt",
    "w-german-output": "noch Deutsch", "w-number-missing": "Zahl fehlt", "w-split": "in Teilen übersetzt",
    "w-term-missing": "Glossarbegriff fehlt", "w-invented-number": "Zahl nicht im Text",
    "w-summary-length": "Länge der Zusammenfassung", "w-ocr-low-confidence": "unsichere Texterkennung",
    "w-iban-checksum": "IBAN-Prüfziffer falsch", "w-page-without-text": "Seite nicht gelesen",
    "w-pdf-text-kept": "auf Deutsch belassen", "w-pdf-overflow": "passt nicht an seinen Platz", "w-pdf-not-editable": "PDF nicht änderbar",
  },
};

const $ = (sel) => document.querySelector(sel);
let uiLang = "en";
let settings = { frontendTimeout: 500, keyRequired: false, supportedFilesFormat: [] };

function t(key, values) {
  let s = (TEXT[uiLang] && TEXT[uiLang][key]) || TEXT.en[key] || key;
  for (const [k, v] of Object.entries(values || {})) s = s.replace("{" + k + "}", v);
  return s;
}

function setLang(lang) {
  uiLang = TEXT[lang] ? lang : "en";
  document.documentElement.lang = uiLang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const b of document.querySelectorAll("[data-ui-lang]")) b.setAttribute("aria-pressed", String(b.dataset.uiLang === uiLang));
  try { localStorage.setItem("summtrans-ui-lang", uiLang); } catch (e) { /* private mode */ }
  for (const job of jobs.values()) renderJob(job);
  if (shown) showResult(shown.job, shown.record);
  renderDetected();
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function withKey(payload) {
  const key = $("#api-key").value.trim();
  if (key) payload.api_key = key;
  return payload;
}

async function errorOf(response) {
  try { return (await response.json()).error || response.statusText; } catch (e) { return response.statusText; }
}

// -- translate as you type ------------------------------------------------------------------------

let typingTimer = null;
let inFlight = null;
let detected = null;

function renderDetected() {  // a short text has no reliable detection (confidence 0): nothing shown
  const d = detected;
  $("#text-status").textContent = d && d.confidence > 0 ? t("detected", { lang: d.language, conf: Math.round(d.confidence) }) : "";
}

function onType() {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(translateText, Math.max(150, settings.frontendTimeout || 500));
}

async function translateText() {
  const q = $("#source-text").value;
  if (inFlight) inFlight.abort();
  if (!q.trim()) { $("#target-text").textContent = ""; detected = null; renderDetected(); return; }
  inFlight = new AbortController();
  $("#text-status").textContent = t("translating");
  try {
    const r = await fetch("/translate", {
      method: "POST", headers: { "Content-Type": "application/json" }, signal: inFlight.signal,
      body: JSON.stringify(withKey({ q, source: "auto", target: "en", format: "text" })),
    });
    if (!r.ok) { $("#text-status").textContent = await errorOf(r); return; }
    const body = await r.json();
    $("#target-text").textContent = body.translatedText;
    detected = body.detectedLanguage || null;
    renderDetected();
  } catch (e) {
    if (e.name !== "AbortError") $("#text-status").textContent = String(e);
  }
}

// -- documents ------------------------------------------------------------------------------------

const jobs = new Map();
let shown = null;

function task() {
  return document.querySelector("input[name=task]:checked").value;
}

async function upload(files) {
  for (const file of files) {
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("task", task());
    const key = $("#api-key").value.trim();
    if (key) form.append("api_key", key);
    const job = { id: null, name: file.name, status: "queued", progress: null, error: null, item: el("li") };
    $("#jobs").append(job.item);
    renderJob(job);
    try {
      const r = await fetch("/v1/documents", { method: "POST", body: form });
      if (!r.ok) { job.status = "failed"; job.error = await errorOf(r); renderJob(job); continue; }
      Object.assign(job, (await r.json()).jobs[0]);
      jobs.set(job.id, job);
      renderJob(job);
      poll(job);
    } catch (e) {
      job.status = "failed"; job.error = String(e); renderJob(job);
    }
  }
}

async function poll(job) {
  while (job.status === "queued" || job.status === "running") {
    await new Promise((resolve) => setTimeout(resolve, 400));
    try {
      const r = await fetch("/v1/documents/" + encodeURIComponent(job.id));
      if (r.ok) Object.assign(job, await r.json());
    } catch (e) { /* the server restarts: keep asking */ }
    renderJob(job);
  }
  if (job.status === "done" && !shown) openResult(job);
}

function renderJob(job) {
  const li = job.item;
  li.replaceChildren();
  li.className = "job " + job.status;
  li.append(el("span", job.name, "name"));
  const bar = el("progress");
  const p = job.progress;
  if (job.status === "done") { bar.max = 1; bar.value = 1; }
  else if (p && p.total) { bar.max = p.total; bar.value = p.done; }
  bar.setAttribute("aria-label", job.name);
  li.append(bar, el("span", t(job.status), "state"));
  if (job.error) li.append(el("span", job.error, "error"));
  if (job.status === "done") {
    const b = el("button", t("show"));
    b.type = "button";
    b.addEventListener("click", () => openResult(job));
    li.append(b);
  }
}

async function openResult(job) {
  const r = await fetch(job.downloads.record);
  if (!r.ok) return;
  showResult(job, await r.json());
  $("#result").focus();
}

function link(href, label) {
  const a = el("a", label);
  a.href = href;
  a.setAttribute("download", "");
  return a;
}

function showResult(job, record) {
  shown = { job, record };
  $("#result").hidden = false;
  $("#result-heading").textContent = job.name;
  const downloads = $("#downloads");
  downloads.replaceChildren();
  if (job.downloads.document) downloads.append(link(job.downloads.document, t("downloadDoc")));
  if (job.downloads.summary) downloads.append(link(job.downloads.summary, t("downloadSummary")));
  downloads.append(link(job.downloads.record, t("downloadRecord")));

  renderFacts(record.facts);
  $("#summary").hidden = !record.summary;
  $("#summary-text").textContent = record.summary || "";

  const bySegment = new Map();
  const docWarnings = $("#doc-warnings");
  docWarnings.replaceChildren();
  for (const w of record.warnings || []) {
    if (w.segment === null || w.segment === undefined) {
      docWarnings.append(el("li", t("docWarning") + ": " + t("w-" + w.kind) + " — " + w.detail, "warning"));
    } else {
      if (!bySegment.has(w.segment)) bySegment.set(w.segment, []);
      bySegment.get(w.segment).push(w);
    }
  }
  const body = $("#segments tbody");
  body.replaceChildren();
  (record.segments || []).forEach((s, i) => {
    const row = el("tr");
    const warnings = bySegment.get(i) || [];
    if (warnings.length) row.className = "warn";
    row.append(el("td", i + 1, "n"));
    row.append(el("td", s.source, "de"));
    const en = el("td", s.translation, "en");
    for (const w of warnings) {
      const badge = el("span", t("w-" + w.kind), "badge");
      badge.title = w.detail;
      en.append(" ", badge);
    }
    row.append(en);
    body.append(row);
  });
}

function renderFacts(facts) {
  const list = $("#facts-list");
  list.replaceChildren();
  const add = (label, value) => {
    if (value === null || value === undefined || value === "") return;
    list.append(el("dt", label), el("dd", value));
  };
  if (facts) {
    add(t("kind"), facts.kind_en || facts.kind);
    add(t("sender"), facts.sender);
    add(t("date"), facts.date);
    for (const d of facts.deadlines || []) {
      const when = d.date || (d.estimate ? d.estimate + " (" + t("estimate") + ")" : d.text);
      add(t("deadline"), [when, d.action, d.consequence].filter(Boolean).join(" — "));
    }
    for (const a of facts.appointments || []) add(t("appointment"), [a.date, a.time, a.place].filter(Boolean).join(", "));
    for (const a of facts.amounts || []) add(t("amount"), [money(a), a.label_en || a.label].filter(Boolean).join(" — "));
    for (const r of facts.references || []) add(t("reference"), (r.label_en || r.label) + ": " + r.value);
    if (facts.period) add(t("period"), facts.period.start + " – " + facts.period.end);
    for (const d of facts.documents || []) add(t("document"), d.name_en || d.name);
    if (facts.remedy) add(t("remedy"), [facts.remedy.name, facts.remedy.addressee].filter(Boolean).join(" — "));
  }
  $("#facts").hidden = !list.children.length;
}

// An amount as the page's language writes it (€1,234.56 / 1.234,56 €); as the letter wrote it otherwise.
function money(a) {
  const locale = uiLang === "de" ? "de-DE" : "en-GB";
  if (typeof a.value !== "number") return a.text;
  if (a.currency === "%") return new Intl.NumberFormat(locale, { maximumFractionDigits: 4 }).format(a.value) + (uiLang === "de" ? " %" : "%");
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: a.currency }).format(a.value);
  } catch (e) {
    return a.text;  // a currency code Intl does not know
  }
}

// -- start ------------------------------------------------------------------------------------------

async function start() {
  let saved = null;
  try { saved = localStorage.getItem("summtrans-ui-lang"); } catch (e) { /* private mode */ }
  setLang(saved || ((navigator.language || "en").toLowerCase().startsWith("de") ? "de" : "en"));
  for (const b of document.querySelectorAll("[data-ui-lang]")) b.addEventListener("click", () => setLang(b.dataset.uiLang));
  $("#source-text").addEventListener("input", onType);
  $("#files").addEventListener("change", (e) => { upload([...e.target.files]); e.target.value = ""; });
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); upload([...e.dataTransfer.files]); });
  try {
    const r = await fetch("/frontend/settings");
    settings = await r.json();
  } catch (e) { /* defaults */ }
  $("#key-section").hidden = !settings.keyRequired;
  $("#formats").textContent = (settings.supportedFilesFormat || []).join(" ");
  $("#files").accept = (settings.supportedFilesFormat || []).join(",");
}

start();
