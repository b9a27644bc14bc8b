/** XML: WeChat's message fields, no DTD or entities, CDATA escaping in replies. */
import { describe, it, expect } from 'vitest';
import { cdata, decodeEntities, encryptedReplyXml, parseWechatXml, textReplyXml, WechatXmlError } from '../../../src/adapters/wechat/xml.js';

const reason = (body: string): string => {
  try {
    parseWechatXml(body);
  } catch (err) {
    return err instanceof WechatXmlError ? err.reason : `other: ${String(err)}`;
  }
  return 'parsed';
};

describe('parseWechatXml', () => {
  it('reads the fields of a text message, CDATA verbatim, 64-bit MsgId as a string', () => {
    const fields = parseWechatXml(`<xml>
  <ToUserName><![CDATA[gh_123456789abc]]></ToUserName>
  <FromUserName><![CDATA[oUser_1]]></FromUserName>
  <CreateTime>1714036504</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[a &amp; <b> ]]]]><![CDATA[> 微信]]></Content>
  <MsgId>23456789012345678901</MsgId>
</xml>`);
    expect(fields).toEqual({
      ToUserName: 'gh_123456789abc',
      FromUserName: 'oUser_1',
      CreateTime: '1714036504',
      MsgType: 'text',
      Content: 'a &amp; <b> ]]> 微信',
      MsgId: '23456789012345678901',
    });
  });

  it('decodes only the predefined entities and character references outside CDATA', () => {
    expect(parseWechatXml('<xml><Content>a &lt;&amp;&gt; &#x4e2d;&#25991; &nbsp; &custom;</Content></xml>').Content).toBe('a <&> 中文 &nbsp; &custom;');
    expect(decodeEntities('&#0; &#xD800; &#x110000;')).toBe('&#0; &#xD800; &#x110000;');
  });

  it('keeps the first of a repeated field and ignores nested elements', () => {
    const fields = parseWechatXml('<xml><A>1</A><A>2</A><B><C>x</C>y</B></xml>');
    expect(fields).toEqual({ A: '1', B: 'y' });
  });

  it('refuses an XXE payload (external entity) before parsing', () => {
    expect(reason('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>')).toBe('doctype');
  });

  it('refuses entity expansion (billion laughs) and any DOCTYPE, whatever the case', () => {
    expect(reason('<!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><Content>&b;</Content></xml>')).toBe('doctype');
    expect(reason('<!doctype xml><xml/>')).toBe('doctype');
    expect(reason('<xml><!ENTITY x "y"></xml>')).toBe('doctype');
  });

  it('refuses malformed XML and documents that are not <xml>…</xml>', () => {
    expect(reason('<xml><Content>unclosed</xml>')).toBe('malformed');
    expect(reason('not xml')).toBe('malformed');
    expect(reason('')).toBe('malformed');
    expect(reason('{"MsgType":"text"}')).toBe('malformed');
    expect(reason('<message><a>1</a></message>')).toBe('not-a-message');
    expect(reason('<xml><a>1</a></xml><xml><a>2</a></xml>')).not.toBe('parsed');
  });
});

describe('reply XML', () => {
  it('escapes ]]> inside CDATA so the reply stays well-formed', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    const xml = textReplyXml({ toUser: 'oUser', fromUser: 'gh_1', createTime: 1714036504.9, content: 'x ]]> <a href="https://kf.qq.com/">y</a>' });
    expect(parseWechatXml(xml)).toEqual({
      ToUserName: 'oUser',
      FromUserName: 'gh_1',
      CreateTime: '1714036504',
      MsgType: 'text',
      Content: 'x ]]> <a href="https://kf.qq.com/">y</a>',
    });
  });

  it('writes the encrypted envelope', () => {
    const xml = encryptedReplyXml({ encrypt: 'abc+/=', signature: 'f00', timestamp: '1714036504', nonce: '123' });
    expect(parseWechatXml(xml)).toEqual({ Encrypt: 'abc+/=', MsgSignature: 'f00', TimeStamp: '1714036504', Nonce: '123' });
  });
});
