/*
 * realname-helper web chat. Plain ES2017, no dependencies, served as is (WeChat's Android
 * browser can be an old Chromium). Every reply is built with DOM text nodes: nothing the
 * server or the user sends ever becomes markup.
 */
(function () {
  'use strict';

  var TEXT = {
    offline: '网络好像出了问题,没有收到回答。请检查网络后再发一次。',
    failed: '出了点问题,没有收到回答。请稍后再试。',
    typing: '正在查找…',
    thanks: '谢谢反馈!',
    useful: '有帮助',
    notUseful: '没帮助',
    feedbackGroup: '这个回答有帮助吗?',
    chips: '可以接着问(点选或回复序号)',
    more: '另外 {n} 个',
    fewer: '收起'
  };

  var app = document.getElementById('app');
  var log = document.getElementById('log');
  var form = document.getElementById('ask');
  var input = document.getElementById('q');
  /** The session id, sent in a header for browsers that drop the cookie. Memory only. */
  var sid = null;
  /** The last reply: a typed number picks one of its suggestions. */
  var last = null;
  var queue = Promise.resolve();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.appendChild(document.createTextNode(String(text)));
    return node;
  }

  /** Only web and phone links; anything else stays text. */
  function safeHref(url) {
    try {
      var u = new URL(url, location.href);
      return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'tel:' ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(url, text) {
    var href = safeHref(url);
    if (!href) return el('span', '', text);
    var a = el('a', '', text);
    a.href = href;
    if (href.indexOf('tel:') !== 0) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    }
    return a;
  }

  function items(tag, list) {
    var node = el(tag);
    for (var i = 0; i < list.length; i++) node.appendChild(el('li', '', list[i]));
    return node;
  }

  function channels(block) {
    var box = el('section', 'channels');
    box.appendChild(el('h3', '', block.title));
    var list = el('ul');
    block.channels.forEach(function (c) {
      var li = el('li');
      li.appendChild(el('strong', '', c.name));
      li.appendChild(document.createTextNode(':'));
      if (c.url) li.appendChild(link(c.url, c.value));
      else if (c.kind === 'phone' && /^[0-9+\-\s]+$/.test(c.value)) li.appendChild(link('tel:' + c.value.replace(/[\s-]/g, ''), c.value));
      else li.appendChild(document.createTextNode(c.value));
      if (c.note && !block.compact) li.appendChild(el('small', '', c.note));
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  /** 「来源:[官方] 标题、… · 核对于 2026-11-24」; of five or more, three show and a button shows the rest. */
  function sources(block) {
    var p = el('p', 'sources', block.title + ':');
    var shown = block.sources.length > 4 ? 3 : block.sources.length;
    var rest = el('span');
    block.sources.forEach(function (s, i) {
      var target = i < shown ? p : rest;
      if (i > 0) target.appendChild(document.createTextNode('、'));
      target.appendChild(link(s.url, block.compact ? s.title : '[' + s.kindLabel + '] ' + s.title));
    });
    if (block.sources.length > shown) {
      rest.hidden = true;
      rest.id = 'src' + Math.random().toString(36).slice(2);
      p.appendChild(rest);
      var label = TEXT.more.replace('{n}', String(block.sources.length - shown));
      var toggle = el('button', '', label);
      toggle.type = 'button';
      toggle.setAttribute('aria-expanded', 'false');
      toggle.setAttribute('aria-controls', rest.id);
      toggle.addEventListener('click', function () {
        rest.hidden = !rest.hidden;
        toggle.setAttribute('aria-expanded', String(!rest.hidden));
        toggle.textContent = rest.hidden ? label : TEXT.fewer;
      });
      p.appendChild(toggle);
    }
    p.appendChild(document.createTextNode(' · ' + block.checkedLabel + ' ' + block.checked));
    return p;
  }

  function block(b) {
    switch (b.type) {
      case 'paragraph':
        return el('p', '', b.text);
      case 'heading':
        return el('h3', '', b.text);
      case 'steps':
        return items('ol', b.items);
      case 'list':
        return items('ul', b.items);
      case 'note':
        return el('p', 'note', b.text);
      case 'warning':
        return el('p', 'warning', b.text);
      case 'channels':
        return channels(b);
      case 'sources':
        return sources(b);
      default:
        return null;
    }
  }

  function reveal(node) {
    log.scrollTop = Math.max(0, node.offsetTop - 8);
  }

  function feedback(reply) {
    var group = el('div', 'fb');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', TEXT.feedbackGroup);
    var said = el('span');
    var buttons = [
      [true, '👍', TEXT.useful],
      [false, '👎', TEXT.notUseful]
    ].map(function (f) {
      // The word as well as the emoji: some phones lack an emoji font.
      var b = el('button', '', f[1] + ' ' + f[2]);
      b.type = 'button';
      b.setAttribute('aria-label', f[2]);
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', function () {
        buttons.forEach(function (x) {
          x.disabled = true;
        });
        b.setAttribute('aria-pressed', 'true');
        said.textContent = TEXT.thanks;
        post('/api/feedback', { topic: reply.topic, useful: f[0] }).catch(function () {});
      });
      group.appendChild(b);
      return b;
    });
    group.appendChild(said);
    return group;
  }

  /** Numbers belong to the last reply only: older buttons keep working, without them. */
  function retireNumbers() {
    var nums = log.querySelectorAll('.num');
    for (var i = 0; i < nums.length; i++) nums[i].parentNode.removeChild(nums[i]);
  }

  function render(reply) {
    retireNumbers();
    var msg = el('article', 'msg bot');
    var bubble = el('div', 'bubble');
    if (reply.title) bubble.appendChild(el('h2', '', reply.title));
    reply.blocks.forEach(function (b) {
      var node = block(b);
      if (node) bubble.appendChild(node);
    });
    var topical = reply.topic && reply.topic.indexOf('meta.') !== 0;
    if (topical && (reply.kind === 'answer' || reply.kind === 'followup' || reply.kind === 'refusal')) bubble.appendChild(feedback(reply));
    msg.appendChild(bubble);
    if (reply.suggestions.length) {
      var chips = el('div', 'chips');
      chips.setAttribute('role', 'group');
      chips.setAttribute('aria-label', TEXT.chips);
      reply.suggestions.forEach(function (s, i) {
        var b = el('button');
        b.type = 'button';
        b.appendChild(el('span', 'num', i + 1));
        b.appendChild(document.createTextNode(s.label));
        b.addEventListener('click', function () {
          ask({ topic: s.topic, facet: s.facet }, s.label);
        });
        chips.appendChild(b);
      });
      msg.appendChild(chips);
    }
    log.appendChild(msg);
    last = reply;
    return msg;
  }

  function mine(text) {
    var msg = el('div', 'msg me');
    msg.appendChild(el('p', '', text));
    log.appendChild(msg);
    reveal(msg);
    return msg;
  }

  function notice(text) {
    var p = el('p', 'notice', text);
    log.appendChild(p);
    reveal(p);
  }

  function post(path, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (sid) headers['X-Session-Id'] = sid;
    return fetch(path, { method: 'POST', headers: headers, body: JSON.stringify(body), credentials: 'same-origin' });
  }

  /** Sends one turn; turns go out one after another, in order. */
  function ask(body, shown) {
    var asked = shown ? mine(shown) : null;
    queue = queue.then(function () {
      var typing = null;
      var timer = setTimeout(function () {
        typing = el('p', 'typing', TEXT.typing);
        log.appendChild(typing);
      }, 400);
      var done = function () {
        clearTimeout(timer);
        if (typing && typing.parentNode) typing.parentNode.removeChild(typing);
      };
      return post('/api/chat', body)
        .then(function (res) {
          return res.json().then(
            function (data) {
              return { ok: res.ok, data: data };
            },
            function () {
              return { ok: false, data: {} };
            }
          );
        })
        .then(function (r) {
          done();
          if (!r.ok || !r.data.reply) return notice(r.data.message || TEXT.failed);
          if (typeof r.data.session === 'string') sid = r.data.session;
          if (body.command === 'reset') {
            while (log.firstChild) log.removeChild(log.firstChild);
          }
          var msg = render(r.data.reply);
          // Show the question and the start of its answer, not the end of a long answer.
          reveal(asked && asked.offsetHeight < log.clientHeight / 3 ? asked : msg);
        })
        .catch(function () {
          done();
          notice(TEXT.offline);
        });
    });
    return queue;
  }

  /** What a typed line means: a command, a number picking a suggestion, or a question. */
  function submit(raw) {
    var line = raw.trim();
    if (!line) return;
    var t = line.normalize ? line.normalize('NFKC') : line;
    if (t === '/topics') return ask({ command: 'topics' }, line);
    if (t === '/reset') return ask({ command: 'reset' }, null);
    if (t === '/help') return ask({ topic: 'meta.help' }, line);
    var n = /^\d{1,2}$/.test(t) ? Number(t) : NaN;
    // After a clarify the engine itself resolves "2", "第二个" or a name.
    var s = last && last.kind !== 'clarify' ? last.suggestions[n - 1] : null;
    if (s) return ask({ topic: s.topic, facet: s.facet }, line + '. ' + s.label);
    return ask({ text: line }, line);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var value = input.value;
    input.value = '';
    submit(value);
  });
  document.getElementById('topics').addEventListener('click', function () {
    ask({ command: 'topics' }, null);
  });
  document.getElementById('reset').addEventListener('click', function () {
    ask({ command: 'reset' }, null);
  });

  /* Keep the input above the on-screen keyboard: size the app to the visual viewport. */
  function fit() {
    var vv = window.visualViewport;
    var atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    app.style.height = (vv ? vv.height : window.innerHeight) + 'px';
    app.style.top = (vv ? vv.offsetTop : 0) + 'px';
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener('resize', fit);
    window.visualViewport.addEventListener('scroll', fit);
  }
  window.addEventListener('resize', fit);
  input.addEventListener('focus', function () {
    setTimeout(fit, 300);
  });
  fit();

  var welcome = document.getElementById('welcome');
  try {
    render(JSON.parse(welcome.textContent));
  } catch (e) {
    /* The page still works without the welcome. */
  }

  /* Deep links: /?q=问题 asks at once, /?topic=account.delete opens a topic. */
  var params = new URLSearchParams(location.search);
  var q = params.get('q');
  var topic = params.get('topic');
  if (q && q.trim()) ask({ text: q.trim() }, q.trim());
  else if (topic) ask({ topic: topic, facet: params.get('facet') }, null);
})();
