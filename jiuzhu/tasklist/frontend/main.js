// The task list's browser side: Camunda Forms (form-js viewer) and BPMN diagrams (bpmn-js).
// Built by jiuzhu/tasklist/build.py into static/dist/tasklist.{js,css}; no CDN.
import { Form } from '@bpmn-io/form-js-viewer';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import './print.js';

import { localiseDom, localiseValidator } from './zh.js';

import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

function readJson(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

function showErrors(box, messages) {
  box.hidden = messages.length === 0;
  box.textContent = '';
  if (messages.length) {
    const list = document.createElement('ul');
    for (const m of messages) {
      const li = document.createElement('li');
      li.textContent = m;
      list.appendChild(li);
    }
    box.appendChild(list);
    box.focus();
  }
}

function fieldLabel(field) {
  if (!field) return '';
  return field.label || field.dateLabel || field.timeLabel || field.key || '';
}

// Errors the server found (the same rules, and those form-js cannot express): under the field when
// the page shows it, and always in the summary at the top.
function showFieldErrors(form, container, errors) {
  for (const old of container.querySelectorAll('.server-error')) old.remove();
  const registry = form.get('formFieldRegistry');
  for (const [path, message] of Object.entries(errors)) {
    const field = registry.getAll().find((f) => f.key === path);
    const input = field && container.querySelector(`[id$="-${CSS.escape(field.id)}"]`);
    const wrapper = input && input.closest('.fjs-form-field');
    if (!wrapper) continue;
    const line = document.createElement('div');
    line.className = 'fjs-form-field-error server-error';
    line.textContent = message;
    wrapper.appendChild(line);
  }
}

async function mountForm(container) {
  const schema = readJson('form-schema');
  const data = readJson('form-data') || {};
  const errorsBox = document.getElementById('form-errors');
  const submitButton = document.getElementById('form-submit');
  const readOnly = container.dataset.readonly === 'true';
  localiseDom(container);
  // No input debounce: what a person typed is in the data even when they click 提交 at once.
  const form = new Form({ container, debounce: false });
  localiseValidator(form);
  await form.importSchema(schema, data);
  container.dataset.ready = 'true';
  if (readOnly) {
    form.setProperty('readOnly', true);
    return;
  }
  submitButton.addEventListener('click', () => form.submit());
  form.on('submit', async (event) => {
    const registry = form.get('formFieldRegistry');
    const messages = Object.entries(event.errors || {}).map(([id, errs]) => {
      const label = fieldLabel(registry.get(id.split('_')[0]) || registry.get(id));
      return (label ? `“${label}”：` : '') + errs.join('；');
    });
    if (messages.length) {
      showErrors(errorsBox, ['请先更正表单中的错误：', ...messages]);
      return;
    }
    submitButton.disabled = true;
    try {
      const response = await fetch(container.dataset.submitUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
        body: JSON.stringify({ variables: event.data }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        window.location.assign(body.redirect || '/');
        return;
      }
      showFieldErrors(form, container, body.errors || {});
      showErrors(errorsBox, [body.message || '提交失败，请稍后重试', ...Object.values(body.errors || {})]);
    } catch (err) {
      showErrors(errorsBox, ['网络错误，请稍后重试']);
    } finally {
      submitButton.disabled = false;
    }
  });
}

async function mountDiagram(container) {
  const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
  if (!response.ok) {
    container.textContent = '流程图无法加载';
    return;
  }
  const xml = await response.text();
  const viewer = new NavigatedViewer({ container });
  try {
    await viewer.importXML(xml);
  } catch (err) {
    container.textContent = '流程图无法显示';
    return;
  }
  const canvas = viewer.get('canvas');
  const fitScale = canvas.zoom('fit-viewport', 'auto');
  const registry = viewer.get('elementRegistry');
  const active = (container.dataset.active || '').split(',').filter(Boolean);
  const current = active.map((id) => registry.get(id)).filter(Boolean);
  for (const element of current) {
    canvas.addMarker(element.id, 'current-step');
  }
  // A whole case process fitted into the box is too small to read: open on the current step at
  // full size, with buttons to switch between it and the whole process.
  const showCurrent = () => centreOn(canvas, current);
  const showAll = () => canvas.zoom('fit-viewport', 'auto');
  if (current.length && fitScale < READABLE_SCALE) {
    showCurrent();
    const bar = document.createElement('div');
    bar.className = 'diagram-views';
    bar.append(viewButton('当前环节', showCurrent), viewButton('全图', showAll));
    container.before(bar);
  }
  container.dataset.ready = 'true';
}

const READABLE_SCALE = 0.7;

function centreOn(canvas, elements) {
  const box = canvas.viewbox();
  const xs = elements.map((e) => e.x + e.width / 2);
  const ys = elements.map((e) => e.y + e.height / 2);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const width = box.outer.width;
  const height = box.outer.height;
  canvas.viewbox({ x: cx - width / 2, y: cy - height / 2, width, height });
}

function viewButton(label, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'diagram-view';
  button.textContent = label;
  button.addEventListener('click', onClick);
  return button;
}

window.addEventListener('DOMContentLoaded', () => {
  const formContainer = document.getElementById('task-form');
  if (formContainer) {
    mountForm(formContainer).catch((err) => {
      formContainer.textContent = '表单无法显示：' + err.message;
    });
  }
  for (const el of document.querySelectorAll('[data-bpmn-diagram]')) {
    mountDiagram(el);
  }
});
