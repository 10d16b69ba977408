"""Red flags and facts: what a message asks for, with evidence in the original text.

Flags are found by rules on the normalized text (Simplified, de-obfuscated, values
replaced by typed tokens), so ``薇 信``, ``加賴`` and ``ｑｑ`` are caught like
``微信``. Each piece of evidence is mapped back to character offsets of the
original message, so an app can highlight it. A flag in a clause that warns
*against* the mechanism ("请勿向个人账户转账") does not count.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from ._cache import byte_cache
from ._normalize import Traced, trace_normalize
from ._vocab import (
    AMOUNT,
    CARD_NO,
    CARD_TAIL,
    CASE_NO,
    DATE,
    NUMBER,
    PHONE_HOTLINE,
    PHONE_LANDLINE,
    PHONE_MOBILE,
    URL_FAKE,
    URL_OFFICIAL,
    URL_OTHER,
    URL_SHORT,
)

__all__ = [
    "ANY_MECHANISM",
    "FEATURE_IDS",
    "FLAGS",
    "FLAG_BY_ID",
    "FLAG_TABLE",
    "MECHANISMS",
    "Fact",
    "Flag",
    "RedFlag",
    "facts",
    "feature_ids",
    "find_facts",
    "find_flags",
    "flag_ids",
    "flag_matches",
    "red_flags",
]

_LINK = f"(?:{URL_OTHER}|{URL_SHORT}|{URL_FAKE})"
_PAY = r"(?:转账|转入|转到|转至|转给|汇入|汇到|汇至|汇款|打款|打到|打入|存入|存到|还到|还入|付到|付款到|支付到|缴至|缴入)"
_AT_STAKE = (
    r"(?:逾期|欠款|冻结|异常|账户|帐户|解冻|退款|赔付|中奖|补贴|征信|额度|还款|扣款|违规|注销|展期|"
    r"起诉|法院|传票|逮捕|罚款|快递|包裹|积分|清零|过期|失效|认证|实名)"
)
_CHANNEL = r"(?<![A-Za-z])(?:微信|QQ|LINE|WhatsApp|Telegram|TG|飞机号?)(?![A-Za-z])"
_FEE_WORDS = (
    "公证费|核验费|保护费|作业费|工本费|认证费|激活费|解冻费|解冻金|撤诉费|撤案费|保证金|验资|刷流水|"
    "流水验证|验证流水|会员费|审核费|加急费|押金|定金|订金|诚意金|开户费|开卡费|包装费|认证金|"
    "手续费|服务费|费用|税费|个税|解冻|保险费|通道费|好处费|茶水费|评估费|开通费|准备金|风险金|所得税|"
    "关税|运费|邮费|信用费|信息费|中介费|代办费|验证费|保全费|激活金|解冻金"
)
_FEE = r"(?:" + _FEE_WORDS + r")"
# What a fee is said to release: a loan, funds, a prize, goods, a job's pay.
_RELEASE = (
    r"(?:放款|下款|出款|到账|提现|取现|领取|领奖|发放|激活|开通|办卡|开卡|批核|审批|审核|"
    r"解冻|发货|退款|赔付|理赔|返还|退回|提额|额度|贷款|借款|入职|上岗|结算|返现|收款|拿到)"
)
_NOT_OFFICIAL = (
    r"(?!\s?(?:公众号|小程序|服务号|官方|支付|钱包|账单|银行|搜索|APP|App|app))"
)


@dataclasses.dataclass(frozen=True)
class Flag:
    """Everything about one red flag, in one place.

    ``severity``: 3 the message asks for money or data through the mechanism, 2 it
    opens a private or unofficial channel, 1 a warning sign (pressure) rather than
    a mechanism. `advise` names the gravest flag (highest severity, then table
    order); a message labeled ``unrelated`` keeps only its mechanisms (severity 2+).
    """

    id: str
    severity: int
    zh: str
    en: str
    advice_zh: str
    advice_en: str
    patterns: tuple[str, ...]

    @property
    def mechanism(self) -> bool:
        """True for a fraud mechanism of the label guide, False for a warning sign."""
        return self.severity >= 2


#: The red flags, in a fixed order (the order of `FLAGS` and of `flag_ids`).
FLAG_TABLE: tuple[Flag, ...] = (
    Flag(
        "personal_account",
        3,
        "要求向个人、“安全”或“指定”账户付款",
        "asks to pay into a personal, 'safe' or 'designated' account",
        "正规机构不会要求您向个人账户或所谓“安全账户”转账。",
        "Real lenders never ask you to pay a personal or 'safe' account.",
        (
            r"(?:个人|私人|安全|指定|监管|专用|临时|清算|代收|和解|受托|过渡|备用|核查|资金|新|专项)"
            r"(?:账户|账号|专户|银行卡|收款码|支付宝|户口)",
            # A company account is the lender's own unless the message says otherwise.
            r"(?<!官方)(?<!我行)(?<!本行)对公(?:账户|账号|户口)(?![^,.;，。]{0,12}?(?:有限公司|股份|银行|备注))",
            r"(?:专户|户名|收款人|开户名|收款账户)(?![:：\s]{0,2}[^,.;，。]{0,15}?(?:公司|银行|集团|中心|事务所|法院))",
            r"(?:转|打|汇|还|付|存|交|到)[^,.;，。]{0,8}?(?:我|本人|专员|经理|员工|信贷员|助理)(?:的|名下)(?:的)?"
            r"(?:账户|账号|户口|银行卡|卡(?!券|包|片|号后)|支付宝)",
            r"这(?:个|张)(?:卡|账户|账号|支付宝|户口)",
            r"支付宝\s?(?:账号|账户)?\s?[:：]",
            r"(?:FPS|转数快).{0,12}?(?:识别码|专员|ID)",
            r"(?:转|还|打|付)给我(?!们)",
            _PAY + r".{0,20}?" + CARD_NO,
            CARD_NO + r".{0,12}(?:户名|收款|转账|汇款)",
            r"收款码|收款二维码|扫码(?:还款|付款|转账)",
            r"债权.{0,10}(?:转让|转给|卖给|收购).{0,30}(?:还给?我|付给我|转给我|打给我|向我|我们公司|本公司)",
            r"(?:还|打|转|付)(?:到|给)?(?:我们|我)(?:公司|这边|这里)",
            r"(?:转|打|汇|还|付|存|交)[^,.;，。]{0,6}?(?:到|入|给|至|进)(?:我们|我|本人|专员|经理|客服|律师|店长|"
            r"会计|财务|老师|师傅|他|她)(?:的)?(?:个人|私人)?(?:支付宝|微信|卡|账户|账号|户口|银行卡|收款码|zfb)",
            r"(?:专员|经理|员工|客服|律师|店长|业务员|助理)(?:的)?(?:个人)?(?:账户|账号|户口|银行卡|卡|支付宝)|个人卡|"
            r"(?:转|打|汇|付)给(?:他|她)(?:本人)?",
            r"(?:支付宝|zfb|ZFB)[^,.;，。]{0,8}?" + PHONE_MOBILE,
            PHONE_MOBILE + r"[^,.;，。]{0,4}?(?:支付宝|zfb)",
            r"(?:验证|理赔|认证|保证金|流水|赔付|退款|收款|专属|临时)(?:账户|账号|专户|户口)",
            r"客户户口|律师行.{0,12}?户口",
            r"(?:银行|工行|农行|建行|中行|交行|招行|邮储|信用社|农商行)[^,.;，。]{0,6}?"
            + CARD_NO,
            r"(?:新|给的|提供的)(?:卡号|账户|账号)|换(?:了)?新卡",
            r"(?:转|打|汇)[^,.;，。您你]{0,12}?(?:卡上|卡里|的卡(?!号后)|支付宝上|支付宝里|微信上)",
            r"(?:转|打|汇|付)[^。]{0,20}?" + CARD_NO,
            r"(?:FPS|转数快)[^,.;，。]{0,6}?(?:"
            + NUMBER
            + "|"
            + PHONE_MOBILE
            + r"|ID)",
            r"实名[:：]|(?:还款|收款)账户\s?[A-Za-z0-9_.]+@",
        ),
    ),
    Flag(
        "private_contact",
        2,
        "要求添加私人微信、QQ、LINE 或私人手机号",
        "asks to add a private WeChat, QQ, LINE or mobile number",
        "不要添加对方的私人微信、QQ或手机号协商还款。",
        "Do not move the conversation to a private WeChat, QQ or mobile number.",
        (
            r"加微信" + _NOT_OFFICIAL,
            r"(?:添加|加|联系|私聊|私信|找)(?:一下)?.{0,8}?" + _CHANNEL + _NOT_OFFICIAL,
            _CHANNEL + r"\s?(?:号|ID|id)?\s?[:：]",
            _CHANNEL + r"\s?(?:联络|联系|沟通|协商|处理|商讨|搵)",
            _CHANNEL + r"[^,.;，。]{0,12}?(?:" + NUMBER + "|" + PHONE_MOBILE + ")",
            r"个人微信|私人微信|私聊|私信",
            r"(?:联系|致电|回电|拨打|打|加|添加|咨询|找|联络).{0,12}?" + PHONE_MOBILE,
            PHONE_MOBILE + r".{0,6}(?:联系|回电|微信同号|同微)",
            r"(?:电话|手机|热线|详询|垂询|专线|号码|致电)\s?[:：]?\s?" + PHONE_MOBILE,
        ),
    ),
    Flag(
        "unofficial_link",
        2,
        "要求通过非官方链接付款、登录、验证、领取或下载",
        "asks to pay, log in, verify, claim or download through a link that is not the named institution's",
        "链接不是官方域名，不要点击，也不要在其中付款或填写信息。",
        "The link is not on the institution's official domain: do not open it, pay or type anything there.",
        (
            URL_FAKE,
            r"(?:还款|还|付款|支付|缴费|缴纳|转账|登录|登陆|登入|验证|认证|核实|核对|更新|填写|绑定|领取|申领|办理|"
            r"下载|安装|解冻|激活|撤销|注销|处理|提交|协商|结清|清还|入口|通道)"
            r"[^。;；]{0,20}?" + _LINK,
            _LINK
            + r"[^。;；]{0,12}?(?:还款|付款|支付|缴费|缴纳|转账|登录|登陆|登入|验证|认证|核实|核对|更新|填写|"
            r"绑定|领取|申领|申请|办理|下载|安装|解冻|激活|撤销|注销|处理)",
            r"(?:发|发送|给)(?:您|你)?(?:一个|个)?(?:短信)?链接[^。]{0,20}?(?:点|输入|填|登录)",
            # A bare "click this link" counts where an account, a debt or money is at stake.
            _AT_STAKE
            + r"[^。]{0,60}?(?:点击|点开|打开|访问|进入|戳|申请|查询)[^。;；]{0,12}?"
            + _LINK,
            r"(?:点击|点开|打开|访问|进入|戳)[^。;；]{0,12}?"
            + _LINK
            + r"[^。]{0,60}?"
            + _AT_STAKE,
        ),
    ),
    Flag(
        "app_install",
        2,
        "要求安装不明应用或共享屏幕",
        "asks to install an unknown app or share the screen",
        "不要安装来历不明的应用或共享屏幕。",
        "Do not install unknown apps or share your screen.",
        (
            r"apk|APK|安装包|未知来源",
            r"屏幕共享|共享屏幕|开启共享|共享(?:你的|您的)?(?:手机)?屏幕",
            r"会议(?:软件|号|ID)|腾讯会议|钉钉|[Zz]oom|ZOOM|向日葵|TeamViewer",
            r"(?:下载|安装).{0,15}?" + _LINK,
            _LINK + r".{0,15}?(?:下载|安装)",
            r"(?:下载|安装)(?:新版|最新版)?[“\"「]?[^”\"」,.;，。]{0,10}?(?:协商|和解|还款助手|极速还|外访|催收|律所|"
            r"协助|助手|快还|救急|减免|停催|理财|投资)[^”\"」,.;，。]{0,6}[”\"」]?\s?(?:App|APP|app|软件|客户端)",
            r"下载(?:地址|链接)[^,.;，。]{0,6}?(?:发你|发您|私发|给你)",
        ),
    ),
    Flag(
        "credential_request",
        3,
        "索要验证码、密码、身份证或卡号等信息",
        "asks for a verification code, password, ID or card number",
        "不要向任何人提供验证码、密码或卡号。",
        "Never share a verification code, password or card number.",
        (
            r"(?:提供|告知|告诉|发送|发给|报|念|输入|填写|回复|提交|上传|转告|核对|说出|确认)(?:一下|下)?"
            r"[^。;；]{0,20}?(?:验证码|验证玛|动态码|校验码|密码|身份证|卡号|CVV|cvv|安全码|有效期|背面|银行卡信息|身份信息|"
            r"个人信息|人脸|卡密)",
            r"(?:验证码|验证玛|动态码|校验码|密码|CVV|安全码|卡号|有效期|背面|三位数|卡密|身份证号).{0,10}?"
            r"(?:告诉|发给|报给|念给|提供给|转告|回复|输入|告知|发过来|发我|回给我|回传|报给我|发一下|给我|传给)",
            r"(?:验证|认证|核实|更新|完善|复核)(?:身份|信息|资料|账户)?.{0,15}?(?:"
            + _LINK
            + r"|链接)",
            r"(?:" + _LINK + r"|链接|apk|APK).{0,15}?(?:验证|认证|核实|更新|完善|复核)",
            r"(?:传|发|给)(?:我|过来).{0,6}?(?:验证码|动态码|密码)",
        ),
    ),
    Flag(
        "clearance_fee",
        3,
        "以消除征信、注销账户、解冻或撤诉为由收费",
        "a fee to clear a credit record, cancel an account, unfreeze funds or stop a lawsuit",
        "征信记录无法花钱消除，注销账户和撤诉都不需要付费。",
        "No fee can clear a credit record, cancel an account or stop a lawsuit.",
        (
            r"(?:消除|修复|清除|洗白|撤销|删除|消掉)(?:掉)?.{0,6}?(?:逾期记录|不良记录|征信|记录|纪录)",
            r"(?:逾期|不良|征信)(?:记录|纪录|信息).{0,20}?(?:撤销|消除|清除|删除|修复|洗白)",
            r"征信修复|修复征信|停息挂账|反催收|债务优化|债务整合|债务重组|停催|只还本金|停息分期",
            r"注销.{0,30}?(?:校园|学生)|(?:校园|学生).{0,30}?注销",
            r"解冻[^,.;，。]{0,12}?(?:费|保证金|金)|(?:缴纳|缴|交|付|汇|转|汇款)[^,.;，。]{0,12}?解冻",
            r"(?:撤诉|撤案|撤销|撤回|停催|止催)(?:费|规费|和解金|保证金)|"
            r"(?:交|付|缴|转|汇|打)[^,.;，。]{0,6}?"
            + AMOUNT
            + r"[^,.;，。]{0,12}?(?:撤诉|撤案|撤回|撤销|暂缓)",
            r"外访.{0,6}?撤|撤.{0,3}外访",
            r"(?:暂停|冻结|修复|保全|暂缓|止诉|停诉|取消|撤销|清除|消除|删除|注销|洗白|止催|停催|撤诉|撤案)"
            r"[^,.;，。]{0,6}?费",
            r"(?:缴纳|交|付|缴)[^,.;，。]{0,8}?"
            + _FEE
            + r"[^,.;，。]{0,12}?(?:可|即可|后|就)[^,.;，。]{0,6}?"
            r"(?:清除|消除|删除|撤回|撤销|取消|暂缓|停止|注销|避免|停止上报|暂停上报)",
            r"(?:缴纳|交|付)\s?"
            + AMOUNT
            + r"[^,.;，。]{0,4}?(?:可|即可|就)[^,.;，。]{0,4}?(?:清除|消除|删除|注销)",
            r"(?:不良|逾期|征信)(?:记录|纪录)?[^,.;，。]{0,6}?(?:处理掉|消掉|清掉|删掉|洗掉)|修复(?:信用|通道|征信|信用分)",
            r"协商.{0,10}?(?:减免|停息|分期|只还本金).{0,20}?(?:加|微信|QQ|联系|服务费|费用)|"
            r"(?:套现|养卡|洗白|包下款|全网协商)",
        ),
    ),
    Flag(
        "authority_impersonation",
        3,
        "自称公检法或监管机构并要求转账付款",
        "police, court, prosecutors or a regulator demanding payment",
        "公检法机关不会通过电话或短信要求转账。",
        "Police, courts and regulators never ask for money by phone or SMS.",
        (
            r"(?:公安|警察|警官|派出所|刑侦|经侦|网警|检察院|检察官|金融监管|银保监|证监会|人民银行|央行|"
            r"金管会|金管局|地检署|刑事局|调查局|反诈中心|征信中心|监管专员).{0,60}?"
            r"(?:"
            + _PAY
            + r"|缴纳|支付|安全账户|保证金|资金核查|核查资金|资产核查|清查|罚款|验资|费)",
            r"(?:法院|法官).{0,60}?(?:安全账户|保证金|撤诉费|资金核查|核查资金|清查|个人账户|监管账户)",
        ),
    ),
    Flag(
        "upfront_fee",
        3,
        "要求先交保证金、手续费或验资，才放款、退款或发奖",
        "asks for a fee, deposit or 'verification of funds' before a loan, refund or prize is released",
        "正规贷款、退款和奖品都不需要先交钱，放款前收费的一律是诈骗。",
        "No real loan, refund or prize needs a payment first: any fee before release is a scam.",
        (
            r"(?:先|需|须|需要|必须|(?<!申)请|才能|方可)(?:先)?(?:缴纳|支付|交|付|转|汇|存|预付|预缴|缴|充值|转入|存入)?"
            r"[^,.;，。]{0,20}?" + _FEE + r"[^。;；]{0,20}?" + _RELEASE,
            r"(?:需先|须先|需要先|必须先|要先|先)(?:缴纳|支付|交|付|转|汇|缴|预付|预缴|充值)"
            r"[^,.;，。]{0,12}?" + _FEE,
            r"(?:缴纳|支付|交|付|缴|转)\s?"
            + AMOUNT
            + r"[^,.;，。]{0,12}?(?:后|才能|方可|即可)[^。;；]{0,20}?"
            + _RELEASE,
            _RELEASE
            + r"[^。;；]{0,16}?(?:前(?!期)|之前|才能|需|须|先)[^。;；]{0,10}?(?:缴纳|支付|交|付|转|汇|存入|充值|预付)?"
            r"[^,.;，。]{0,8}?" + _FEE,
            r"验资|刷流水|流水验证|验证流水|(?:借|贷)(?:出|款)?.{0,12}?(?:转|打)(?:到|入).{0,10}?(?:验证|验资|流水)",
            r"刷单|做单|兼职[^。]{0,12}?(?:返|佣金)|先垫[^。]{0,12}?返",
        ),
    ),
    Flag(
        "gambling_lure",
        2,
        "推销赌博、博彩、彩票内幕或招募代理",
        "promotes gambling, betting, lottery tips or recruits their agents",
        "网络赌博和“内部彩票计划”都是骗局，不要注册、充值或拉人。",
        "Online gambling and lottery 'insider tips' are scams: do not sign up, top up or recruit.",
        (
            r"博彩|彩金|赌场|赌博|娱乐城|真人(?:娱乐|视讯|荷官)|百家乐|老虎机|轮盘|德州扑克|棋牌|捕鱼|"
            r"电子游艺|电子游戏厅|体育(?:投注|博彩)|投注|下注|六合彩|时时彩|北京赛车|幸运飞艇|一码中特|"
            r"特码|平特|彩票(?:计划|导师|群|内幕|内部)|内部(?:资料|计划)|稳赚不赔|期期包中|包中特|必中|(?:注册|首充)(?:即)?送|"
            r"存送|返水|流水.{0,4}提现|casino|Casino|CASINO|(?:线上|网上|网络)(?:赌|娱乐平台)|"
            r"网投|快三|PK\s?10|牛牛|炸金花|盘口|赔率|竞猜|押注|带单|跟单|包赢|必赢|稳赢|"
            r"(?:赌|博彩|娱乐|体育).{0,6}(?:代理|合营|招商)",
        ),
    ),
    Flag(
        "document_sale",
        2,
        "出售或代办证件、文凭、发票、印章等",
        "offers forged or illegal documents: certificates, diplomas, IDs, invoices, seals",
        "买卖或伪造证件、发票、文凭是违法的，对方往往收钱后消失。",
        "Buying or forging documents, invoices or diplomas is illegal, and such sellers often vanish with the money.",
        (
            r"办证|(?:代办|代考|包过|可查).{0,8}?(?:证|文凭|学历|驾照|执照|资格)|假(?:证|文凭|学历|发票|病历|病例|证明)|"
            r"代开(?:发票|各类|证明|票)|(?:开|出售|代开|有)(?:各类|各种)?(?:正规)?发票|刻章|(?:出售|代办|代做|办理)"
            r".{0,6}?(?:文凭|毕业证|学位证|学历证|身份证|驾驶证|驾照|资格证|营业执照|病历|病例|流水)|考试(?:答案|包过)|"
            r"学信网可查|(?:文凭|毕业证|学历|证件|驾照|证书)(?:出售|代办|包过|速办)",
            r"(?:代办|代开|出售|办理|提供|专业办|快速办|加急办|可办|包办|代做)(?:各类|各种|正规|真实|一切)?"
            r"(?:证件|证书|文凭|学历|毕业证|学位证|身份证|驾照|驾驶证|行驶证|房产证|结婚证|离婚证|户口本|"
            r"营业执照|资格证|职称|健康证|病历|病例|诊断书|假条|发票|收据|公章|印章|银行流水|流水|证明)|"
            r"(?:证件|证书|文凭|学历|毕业证|驾照|发票|公章|病历|诊断书|职称)[^,.;，。]{0,4}?(?:代办|办理|出售|包过|可查|速办|加急|真实可查)",
        ),
    ),
    Flag(
        "prize_claim",
        2,
        "声称中奖、获赔或获补贴并要求领取",
        "says the reader has won a prize, compensation or subsidy to claim",
        "陌生渠道的中奖、赔偿、补贴通知多为诈骗，领取前不要付费或填写资料。",
        "Unexpected prizes, compensation or subsidies are usually scams: never pay or give data to claim them.",
        (
            # Something won or owed to the reader, with a way to claim it.
            r"(?:中奖|获奖|抽中|幸运(?:观众|用户|客户|粉丝|号码|儿)|场外(?:观众|幸运)|(?:现金|特等|一等|二等|三等|大)奖|"
            r"奖金|奖品|赔偿金|补偿金|(?:双倍|两倍|三倍|倍)(?:赔付|赔偿|赔)|理赔金|退税|助学金|补助金|补贴(?!券)|现金红包)"
            r"[^。]{0,40}?(?:领取|申领|领奖|兑奖|点击|添加|联系|回复|填写|提供|缴纳|支付|扫码|登录|"
            + _LINK
            + r")",
            r"(?:领取|申领|领奖|兑奖)[^。]{0,20}?(?:奖品|奖金|奖励|大奖|补贴|赔偿|补偿|赔付)",
            r"(?:赔|退)(?:给)?(?:您|你)(?!们)[^。]{0,20}?(?:扫|填|提供|发我|卡号|账号|验证码|借|转)",
        ),
    ),
    Flag(
        "acquaintance_transfer",
        3,
        "自称熟人、领导或亲友要求转账借钱",
        "someone claiming to be a boss, relative or friend asks for money",
        "熟人借钱或领导要求转账，先打电话或当面核实，不要向新号码、新账户转账。",
        "A 'boss', relative or friend asking for money: call them on the number you know before paying anything.",
        (
            r"(?:我是|是我|我系|系我)(?:你|您)?(?:的)?(?:领导|老板|经理|主任|处长|局长|校长|老师|同事|同学|朋友|"
            r"表哥|表姐|表弟|表妹|哥|姐|弟|妹|叔|舅|姑|姨|老乡|亲戚|儿子|女儿|爸|妈|老公|老婆|阿姐|阿哥)"
            r".{0,80}?(?:转|借|汇|打(?:款|钱)|急用|周转|垫|付款|付一下|交一下|帮我)",
            r"(?:换(?:了)?(?:新)?(?:号|号码|手机|微信|WhatsApp|LINE)|新号码|号码换了|手机(?:丢|坏|掉)|微信被封)"
            r"[^。]{0,40}?(?:转|借|汇|打(?:款|钱)|急用|周转|垫|付款|帮我)",
            r"我[^,.;，。]{0,4}?(?:急用钱|急需用钱|要周转|周转一下)|先帮我(?:转|垫|付)|帮我垫付一下",
            r"(?:奶奶|爷爷|外婆|外公|姥姥|姥爷|妈|爸|老妈|老爸|姐|哥|舅|叔|姑|姨)[,，!！ ]{1,2}(?:是我|我是)[^。]{0,60}?"
            r"(?:转|借|汇|打(?:款|钱)|急用|垫|赔)",
            r"(?:出了点事|出事了|被抓了|被扣了)[^。]{0,40}?(?:转|借|汇|打(?:款|钱)|急用|垫|赔)",
        ),
    ),
    Flag(
        "threat",
        1,
        "以逮捕、曝光通讯录或暴力相威胁",
        "threatens arrest, exposure to contacts or violence",
        "以逮捕、曝光相威胁属于违规催收，可向贷款机构官方客服或监管部门投诉。",
        "Threats of arrest or exposure are abusive collection: complain to the lender's official hotline or the regulator.",
        (
            r"逮捕|拘留|坐牢|判刑|刑事(?:责任|拘留|立案)|通缉|抓(?:你|人)",
            r"爆(?:你)?(?:通讯录|通讯|户)|通讯录|曝光|群发|挂?横幅|P图|社死|身败名裂",
            r"(?:告诉|通知|发给)你(?:的)?(?:家人|同事|朋友|领导|亲戚)|让你(?:家人|同事|朋友|全村)",
            r"(?:通报|通知|告知|发)(?:至|到|给)(?:你|您)?(?:的)?(?:单位|公司|领导|同事|学校)|上你(?:单位|公司|家)",
            r"联系人.{0,8}?(?:都有|发|曝)|P(?:图|好)",
            r"打断|弄死|废了你|后果自负|上门(?:讨|收|要)债",
            r"(?:联系|通知|告知|告诉|转告|打给|致电|走访|拜访|找)(?:你|您)?(?:的)?(?:家人|父母|爸妈|家属|亲属|亲友|"
            r"配偶|同事|领导|单位|工作单位|公司|村委会?|居委会?|学校|辅导员|紧急联系人|通讯录|朋友)",
            r"(?:公告|公示|张贴|曝光|通报|发布).{0,8}?(?:欠款|老赖|失信|名单|信息)|(?:报案|报警|移送公安)",
            r"(?:向|到|去)(?:你|您)?(?:的)?(?:工作单位|单位|公司|家人|村委会?|居委会?|户籍地|老家)"
            r"(?:发送|通报|核实|走访|送达|了解|张贴)",
        ),
    ),
    Flag(
        "urgency",
        1,
        "以几小时内、仅限今日等期限施压",
        "pressure with a deadline in hours or 'today only'",
        "限时施压是常见的诈骗手法：先通过官方渠道核实，再决定是否付款。",
        "A tight deadline is a common pressure tactic: verify through official channels before paying anything.",
        (
            f"(?:{NUMBER}|[一二两三四五六七八九十半])"
            + r"\s?(?:个)?(?:小时|分钟|工作日)(?:内|之内|以内)(?!\s?有效)",
            r"今[天日](?:请|入禀|起诉|上门|下班前|中午前|[0-9]+点前)",
            r"今[天日]\s?(?:"
            + DATE
            + "|"
            + NUMBER
            + r"\s?点)?\s?(?:内|之内|前|之前)|今[天日](?:必须|务必|把|就|汇|转|还|打|处理|下午|晚上)|当[天日](?:内|必须)",
            r"仅限今[天日]|即日|今晚|今夜|今日内|当日内|今天之内|今天内",
            r"逾时.{0,4}?(?:失效|不候|作废)|过时不候|倒计时|最后(?:期限|通牒|机会|通知)",
            r"(?:立即|马上|立刻|即刻).{0,12}?(?:否则|不然)",
        ),
    ),
)

#: The flag ids, in table order.
FLAGS: tuple[str, ...] = tuple(f.id for f in FLAG_TABLE)
#: Each flag by id.
FLAG_BY_ID: dict[str, Flag] = {f.id: f for f in FLAG_TABLE}
#: The ids of the fraud mechanisms (severity 2 and 3), in table order.
MECHANISMS: frozenset[str] = frozenset(f.id for f in FLAG_TABLE if f.mechanism)
_COMPILED = {f.id: [re.compile(p) for p in f.patterns] for f in FLAG_TABLE}
#: A feature column raised with any fraud mechanism: one weight shared by every
#: mechanism, so a mechanism rare in training still counts as evidence.
ANY_MECHANISM = "any_mechanism"
#: The columns a flag block can have: every flag, then `ANY_MECHANISM`.
FEATURE_IDS: tuple[str, ...] = (*FLAGS, ANY_MECHANISM)


def feature_ids(raised: tuple[str, ...]) -> tuple[str, ...]:
    """The flag-feature columns a text with the `raised` flags sets."""
    if MECHANISMS.intersection(raised):
        return (*raised, ANY_MECHANISM)
    return raised


_NEGATION_WORDS = (
    "勿 不要 不会 切勿 谨防 绝不 从不 不得 严禁 警惕 防范 提防 谨慎 并非 无需 不需要 未授权 "
    "没有授权 不存在 均为诈骗 都是诈骗 冒充 诈骗 不收 免收 不收取 无任何 没有任何 毋须 不用"
).split()
_CLAUSE_END = re.compile(r"[,.!?;。!?;]")
_WARNING = re.compile("反诈|防骗|防诈|骗局|谨防|不法分子|歹徒|提高警惕")
_MONEY = re.compile(
    r"还款|还钱|欠款|借款|贷款|借钱|逾期|转账|付款|支付|协商|额度|下款|放款|收款|赔|退款|费|钱|元|"
    + AMOUNT
    + r"|利息|分期|账单|充值|投资|收益|赚|彩|奖|刷单|兼职|理财|催收|征信|债|和解|私了|解冻|冻结|办理|开通|"
    r"续保|法院|传票|律师|上门|会员|预付|保证金|定金|账户|专员|客服|经理|法务|协商|申请|审批|注销|修复|不良"
)


class _Negation:
    """Answers "does the clause up to this position warn against it?" for one text.

    A flag match is negated when a negation word lies between the start of its
    clause and the end of the match. The words and clause ends are found once per text, so a
    long clause with many matches costs linear time, not quadratic.
    """

    def __init__(self, text: str):
        self.clause_ends = [m.end() for m in _CLAUSE_END.finditer(text)]
        spans = sorted(
            (i, i + len(word))
            for word in _NEGATION_WORDS
            for i in _find_all(text, word)
        )
        self.starts = [a for a, _ in spans]
        # suffix minimum of the ends: the earliest end of a word starting at >= i
        self.min_end = [0] * len(spans)
        best = len(text) + 1
        for k in range(len(spans) - 1, -1, -1):
            best = min(best, spans[k][1])
            self.min_end[k] = best

    def __call__(self, start: int) -> bool:
        k = bisect.bisect_right(self.clause_ends, start) - 1
        clause_start = self.clause_ends[k] if k >= 0 else 0
        i = bisect.bisect_left(self.starts, clause_start)
        return i < len(self.starts) and self.min_end[i] <= start


def _find_all(text: str, word: str) -> list[int]:
    found, i = [], text.find(word)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1)
    return found


Matches = tuple[tuple[str, tuple[tuple[int, int], ...]], ...]


@byte_cache(16 * 1024 * 1024)
def flag_matches(normalized: str) -> Matches:
    """The flags a normalized text raises, in `FLAGS` order, each with the spans of
    the normalized text that raise it (a flag warned against does not count)."""
    negated = _Negation(normalized)
    # An anti-fraud notice describes mechanisms without asking for them; a private
    # contact matters only where money does.
    warning = bool(_WARNING.search(normalized))
    money = bool(_MONEY.search(normalized))
    found = []
    for flag, patterns in _COMPILED.items():
        if (warning and flag in MECHANISMS) or (
            flag == "private_contact" and not money
        ):
            continue
        spans = {
            m.span()
            for pattern in patterns
            for m in pattern.finditer(normalized)
            if not negated(m.end() - 1)
        }
        if spans:
            found.append((flag, tuple(sorted(spans))))
    return tuple(found)


def flag_ids(normalized: str) -> tuple[str, ...]:
    """The ids of the flags raised by a normalized text, in `FLAGS` order."""
    return tuple(flag for flag, _ in flag_matches(normalized))


@dataclasses.dataclass(frozen=True)
class RedFlag:
    """A fraud mechanism or warning sign, with evidence as ``(start, end)`` offsets
    into the original message; ``severity`` as in `FLAG_TABLE` (1 a warning sign,
    2 and 3 fraud mechanisms)."""

    id: str
    zh: str
    en: str
    spans: tuple[tuple[int, int], ...]
    severity: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Fact:
    """Something the message states: ``kind`` (signature, amount, date, due_date,
    days_overdue, card_tail, phone, url, case_number, sender), its text as
    written, its span in the original message, and a ``detail`` (phone or URL
    kind, sender kind)."""

    kind: str
    value: str
    span: tuple[int, int]
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple(merged)


def red_flags(traced: Traced, matches: Matches) -> tuple[RedFlag, ...]:
    """`matches` of a traced text as red flags with spans in its original."""
    out = []
    for flag, spans in matches:
        spec = FLAG_BY_ID[flag]
        original = _merge(traced.span(a, b) for a, b in spans)
        out.append(RedFlag(flag, spec.zh, spec.en, original, spec.severity))
    return tuple(out)


def find_flags(text: str) -> list[RedFlag]:
    """The red flags of a message, with spans into `text`.

    Examples
    --------
    >>> text = "您已逾期，请加 薇 信 kf88 协商，2小时内处理"
    >>> [(f.id, [text[a:b] for a, b in f.spans]) for f in find_flags(text)]
    [('private_contact', ['加 薇 信 kf88']), ('urgency', ['2小时内'])]
    """
    traced = trace_normalize(text)
    return list(red_flags(traced, flag_matches(traced.text)))


_KIND = {
    URL_OFFICIAL: ("url", "official"),
    URL_SHORT: ("url", "short"),
    URL_OTHER: ("url", "other"),
    URL_FAKE: ("url", "look-alike"),
    PHONE_HOTLINE: ("phone", "hotline"),
    PHONE_MOBILE: ("phone", "mobile"),
    PHONE_LANDLINE: ("phone", "landline"),
    AMOUNT: ("amount", None),
    DATE: ("date", None),
    CARD_TAIL: ("card_tail", None),
    CASE_NO: ("case_number", None),
}
_FACT_TOKENS = re.compile("|".join(sorted(_KIND, key=len, reverse=True)))
_SIGNATURE = re.compile(r"【([^】]{2,24})】")
_DUE = re.compile(r"到期|还款日|截止|最后还款|缴款|前还|之前")
_DAYS = re.compile(r"逾期(?:了|已)?(?:超过)?\s?(" + NUMBER + r")\s?(?:天|日)")
_NON_DIGITS = re.compile(r"\D")


def facts(text: str, traced: Traced) -> tuple[Fact, ...]:
    """The facts of `text` (whose normalization is `traced`), in text order."""
    norm = traced.text
    found = []
    for m in _SIGNATURE.finditer(norm):
        a, b = traced.span(*m.span(1))
        found.append(Fact("signature", text[a:b], (a, b)))
    for m in _FACT_TOKENS.finditer(norm):
        kind, detail = _KIND[m[0]]
        if kind == "date" and _DUE.search(
            norm, max(0, m.start() - 8), min(len(norm), m.end() + 6)
        ):
            kind = "due_date"
        a, b = traced.span(*m.span())
        value = text[a:b]
        if kind == "card_tail":
            value = _NON_DIGITS.sub("", value)[-4:] or value
        found.append(Fact(kind, value.strip(), (a, b), detail))
    for m in _DAYS.finditer(norm):
        a, b = traced.span(*m.span(1))
        found.append(Fact("days_overdue", text[a:b].strip(), (a, b)))
    return tuple(sorted(found, key=lambda f: f.span))


def find_facts(text: str) -> list[Fact]:
    """Signature, amounts, dates, days overdue, card tail, phones, URLs, case numbers.

    Examples
    --------
    >>> [(f.kind, f.value, f.detail) for f in find_facts("【花呗】您尾号1234账单1,200元已逾期3天，详询95188")]
    [('signature', '花呗', None), ('card_tail', '1234', None), ('amount', '1,200元', None), ('days_overdue', '3', None), ('phone', '95188', 'hotline')]
    """
    return list(facts(text, trace_normalize(text)))
