// zh-CN for form-js 1.x: the viewer has no translation service, so its built-in strings (validation
// messages, "Add new", "Select", aria labels, placeholders) are translated as they appear, and the
// date picker (flatpickr, a form-js dependency) gets its own Mandarin locale.
import flatpickr from 'flatpickr';
import { Mandarin } from 'flatpickr/dist/esm/l10n/zh.js';

flatpickr.localize({ ...Mandarin, firstDayOfWeek: 1 });

const EXACT = {
  'Field is required.': '此项为必填项',
  'Value is not a number.': '请输入数字',
  'Value is expected to be an integer.': '请输入整数',
  'Date and time must both be entered.': '日期和时间须同时填写',
  'Field must be a valid email.': '请输入有效的电子邮箱',
  'Min validation value is not a valid number.': '最小值设置有误',
  'Max validation value is not a valid number.': '最大值设置有误',
  'Add new': '添加',
  'Select': '请选择',
  'Search': '搜索',
  'Collapse': '收起',
  'Remove tag': '移除',
  'Skip to search': '跳到搜索',
  'Nothing to show.': '暂无内容',
  'Browse': '浏览',
  'Increment': '增加',
  'Decrement': '减少',
  'Previous page': '上一页',
  'Next page': '下一页',
  'Powered by bpmn.io': '由 bpmn.io 提供',
  'hh:mm': '时:分',
  'hh:mm --': '时:分',
};

const PATTERNS = [
  [/^Field must have minimum value of (.+)\.$/, (m) => `不得小于 ${m[1]}`],
  [/^Field must have maximum value of (.+)\.$/, (m) => `不得大于 ${m[1]}`],
  [/^Field must have minimum length of (.+)\.$/, (m) => `至少 ${m[1]} 个字`],
  [/^Field must have maximum length of (.+)\.$/, (m) => `至多 ${m[1]} 个字`],
  [/^Field must match pattern (.+)\.$/, () => '格式不正确'],
  [/^Value is expected to have at most (\d+) decimal digits?\.$/, (m) => `至多保留 ${m[1]} 位小数`],
  [/^Please select a valid value, the two nearest valid values are (.+) and (.+)\.$/, (m) => `请输入有效值，最接近的是 ${m[1]} 和 ${m[2]}`],
  [/^Field must be a valid +international phone number\..*$/, () => '请输入有效的电话号码'],
  [/^Expand all \((\d+)\)$/, (m) => `展开全部（${m[1]}）`],
  [/^Remove list item (\d+)$/, (m) => `删除第 ${m[1]} 行`],
  [/^Download (.+)$/, (m) => `下载 ${m[1]}`],
  // the date placeholder form-js derives from the browser's locale, e.g. "yyyy/mm/dd"
  [/^(?=.*y)[ymd]+([/.-])[ymd]+\1[ymd]+$/, (m) => ['年', '月', '日'].join(m[1])],
];

export function translate(text) {
  if (typeof text !== 'string') return text;
  const trimmed = text.trim();
  if (!trimmed) return text;
  if (Object.prototype.hasOwnProperty.call(EXACT, trimmed)) {
    return text.replace(trimmed, EXACT[trimmed]);
  }
  for (const [pattern, render] of PATTERNS) {
    const match = trimmed.match(pattern);
    if (match) return text.replace(trimmed, render(match));
  }
  return text;
}

// Validation: the same messages in the field's error line and in the submit summary.
export function localiseValidator(form) {
  const validator = form.get('validator');
  for (const method of ['validateField', 'validateFieldInstance']) {
    const original = validator[method].bind(validator);
    validator[method] = (...args) => original(...args).map(translate);
  }
}

const ATTRIBUTES = ['placeholder', 'title', 'aria-label'];

function translateNode(node) {
  if (node.nodeType === Node.TEXT_NODE) {
    const translated = translate(node.nodeValue);
    if (translated !== node.nodeValue) node.nodeValue = translated;
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  for (const el of [node, ...node.querySelectorAll('*')]) {
    for (const name of ATTRIBUTES) {
      const value = el.getAttribute(name);
      if (value) {
        const translated = translate(value);
        if (translated !== value) el.setAttribute(name, translated);
      }
    }
  }
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) translateNode(text);
}

// Everything form-js renders later (rows added, dropdowns opened, errors shown) is translated too.
export function localiseDom(container) {
  translateNode(container);
  const observer = new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === 'characterData') translateNode(mutation.target);
      else if (mutation.type === 'attributes') translateNode(mutation.target);
      else mutation.addedNodes.forEach(translateNode);
    }
  });
  observer.observe(container, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
  return observer;
}
