// The task list's browser side: Camunda Forms (form-js viewer) and BPMN diagrams (bpmn-js).
// Built by jiuzhu/tasklist/build.py into static/dist/tasklist.{js,css}; no CDN.
import { Form } from '@bpmn-io/form-js-viewer';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import './print.js';

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

async function mountForm(container) {
  const schema = readJson('form-schema');
  const data = readJson('form-data') || {};
  const errorsBox = document.getElementById('form-errors');
  const submitButton = document.getElementById('form-submit');
  const readOnly = container.dataset.readonly === 'true';
  const form = new Form({ container });
  await form.importSchema(schema, data);
  if (readOnly) {
    form.setProperty('readOnly', true);
    return;
  }
  submitButton.addEventListener('click', () => form.submit());
  form.on('submit', async (event) => {
    const messages = Object.entries(event.errors || {}).map(([, errs]) => errs.join('；'));
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
      const fieldErrors = Object.values(body.errors || {});
      showErrors(errorsBox, [body.message || '提交失败', ...fieldErrors]);
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
  canvas.zoom('fit-viewport', 'auto');
  const registry = viewer.get('elementRegistry');
  const active = (container.dataset.active || '').split(',').filter(Boolean);
  for (const id of active) {
    if (registry.get(id)) {
      canvas.addMarker(id, 'current-step');
    }
  }
  container.dataset.ready = 'true';
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
