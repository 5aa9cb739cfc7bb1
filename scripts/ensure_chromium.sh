#!/usr/bin/env bash
# The browser tests (tests/browser) drive Debian's Chromium through Playwright; Playwright's own browser
# download does not work on these machines. Installs chromium and the CJK fonts with apt when missing and
# allowed (root), and otherwise says why the browser tests will be skipped. Never fails the build.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装 Chromium 与中文字体（浏览器测试所需）……"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/tmp/xiezuoqu-chromium.log 2>&1 \
     || { apt-get update -qq >>/tmp/xiezuoqu-chromium.log 2>&1 \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >>/tmp/xiezuoqu-chromium.log 2>&1; }; then
    exit 0
  fi
  echo "未能安装 Chromium（见 /tmp/xiezuoqu-chromium.log）：浏览器测试将跳过。"
  exit 0
fi
echo "未找到 /usr/bin/chromium，且无权安装（需要 root 与 apt-get）：浏览器测试将跳过。"
echo "安装方法：apt-get install chromium fonts-noto-cjk"
